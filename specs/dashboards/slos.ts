import { defineDashboard } from 'infermon';

/** One row per SLO in specs/, read from the Sloth recording rules the SLOs generate. */
export const slosDashboard = defineDashboard({
  id: 'slos',
  title: 'Service level objectives',
  description: 'Objective, error budget remaining, current and period burn rates, and the SLI over time of every SLO.',
  tags: ['slo'],
  from: 'now-7d',
  generated: ['slos'],
  links: ['kthena-router', 'llm-runtime', 'model-drilldown'],
});
