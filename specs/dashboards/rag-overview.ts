import * as content from 'infermon/content';
import { stack } from '../stack.ts';

/** The RAG application and what runs under it, split by the stack's external labels to compare clusters. */
export const ragOverviewDashboard = content.ragOverviewDashboard({
  clusterLabels: Object.keys(stack.spec.externalLabels ?? {}).sort(),
});
