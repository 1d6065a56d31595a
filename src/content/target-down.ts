import { promUp } from '../catalog/kubernetes.ts';
import { promql, type AlertSpec } from '../model/rules.ts';

/**
 * "Down" alerts that also fire when service discovery finds no target of the job at all: `up == 0`
 * alone returns nothing then, exactly when the component is gone.
 */

/** A target of the job fails its scrapes, or the job has no target. */
export function jobDownExpr(job: string): string {
  return promql`${promUp}{job="${job}"} == 0 or absent(${promUp}{job="${job}"})`;
}

/** Firing on a failing target and on an empty job; quiet on a healthy target. */
export function jobDownTests(job: string, instance: string): AlertSpec['tests'] {
  return {
    firing: [
      { description: 'the target fails its scrapes', series: [{ metric: promUp, labels: { job, instance }, value: 0 }] },
      // absent() returns the selector's equality matchers as labels: the job, and no instance.
      { description: 'discovery finds no target of the job', series: [], labels: { job } },
    ],
    quiet: [{ description: 'a healthy target', series: [{ metric: promUp, labels: { job, instance }, value: 1 }] }],
  };
}
