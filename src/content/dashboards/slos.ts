import { z } from 'zod';
import { bundledDashboard, type DashboardConfig } from './bundled.ts';
import { contentFactory, dashboardConfigFields } from '../options.ts';

/**
 * The SLO dashboard reads the Sloth recording rules of every SLO in the specs, whose own selectors already
 * scope them; it has no queries of its own for a selector to narrow.
 */
export type SloDashboardConfig = Omit<DashboardConfig, 'selector'>;

const { selector: _unscoped, ...sloDashboardConfigFields } = dashboardConfigFields;
const sloDashboardConfigSchema = z.strictObject(sloDashboardConfigFields);

/** One row Grafana repeats per SLO (chosen by service and SLO), read from the Sloth recording rules the SLOs generate. */
export const sloDashboard = contentFactory('sloDashboard', sloDashboardConfigSchema, (config: SloDashboardConfig) => {
  return bundledDashboard(
    {
      id: 'slos',
      title: 'Service level objectives',
      description: 'Objective, error budget remaining, current and period burn rates, and the SLI over time of every SLO.',
      tags: ['slo'],
      from: 'now-7d',
      generated: ['slos'],
    },
    ['kthena-router', 'llm-runtime', 'model-drilldown'],
    config,
  );
});
