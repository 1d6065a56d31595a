import { resolveDashboards, type ResolvedDashboard } from '../grafana/resolve.ts';
import type { Model } from '../model/model.ts';
import { scrapeTargets, type ScrapeTarget } from '../model/scrape.ts';
import { planSloServices, type PlannedSloService } from '../slo/sloth-slo.ts';
import { planAlerts, type RoutedAlert } from './alerts.ts';
import { runbookPages, type RunbookPages } from './runbook-pages.ts';

export type { PlannedSloService } from '../slo/sloth-slo.ts';
export { routed, type RoutedAlert } from './alerts.ts';
export type { RunbookPage, RunbookPages } from './runbook-pages.ts';

/**
 * What the checks and the generators read: the loaded model and everything derived from it, computed once
 * here and never again: SLOs with their defaults, ids and queries, every alert with the labels
 * Alertmanager routes on, the runbook page each alert links, dashboards with their panels resolved, and the
 * scrape wiring of every source.
 */
export interface Plan extends Model {
  slos: readonly PlannedSloService[];
  alerts: readonly RoutedAlert[];
  runbookPages: RunbookPages;
  dashboards: readonly ResolvedDashboard[];
  scrapeTargets: readonly ScrapeTarget[];
}

/**
 * The plan of a model. `slos` are the model's SLO services already normalised, when building the model's
 * catalog needed them first.
 */
export function planOf(model: Model, slos: readonly PlannedSloService[] = planSloServices(model.specs.slos, model.stack.value.prometheusMajor)): Plan {
  return {
    ...model,
    slos,
    alerts: planAlerts(model, slos),
    runbookPages: runbookPages(model),
    dashboards: resolveDashboards(model),
    scrapeTargets: scrapeTargets(model),
  };
}
