import * as content from 'infermon/content';
import { stack } from '../stack.ts';

/** k6 benchmark runs remote-written to Prometheus, compared across the clusters the stack's external labels name. */
export const benchmarkResultsDashboard = content.benchmarkResultsDashboard({
  clusterLabels: Object.keys(stack.spec.externalLabels ?? {}).sort(),
});
