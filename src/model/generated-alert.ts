import type { SpecLocation } from './diagnostics.ts';

/**
 * Every alert the generators emit, with the labels Alertmanager will see (rule labels plus the labels
 * the expression keeps). Routing is resolved against this list at generation time.
 */
export interface GeneratedAlert {
  alertname: string;
  /** Static labels of the rule (severity, team, service, ...), without `alertname`. */
  labels: Record<string, string>;
  /** Labels the expression's result carries, by name only (values are known at run time). */
  dynamicLabels: string[];
  origin: SpecLocation;
}
