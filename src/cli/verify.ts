import type { Plan } from '../plan/index.ts';
import { hasProblems, reportJson, reportText } from '../verify/findings.ts';
import { verify } from '../verify/verify.ts';

export interface VerifyCommandOptions {
  prometheus: string;
  format: 'text' | 'json';
  rateInterval: string;
}

/** `infermon verify --prometheus URL`: prints the report; false when it holds a problem. */
export async function runVerify(model: Plan, options: VerifyCommandOptions): Promise<boolean> {
  const report = await verify(model, { prometheusUrl: options.prometheus, rateInterval: options.rateInterval });
  process.stdout.write(options.format === 'json' ? reportJson(report) : reportText('infermon verify', report));
  return !hasProblems(report);
}
