import type { Diagnostics } from '../model/diagnostics.ts';
import type { Model } from '../model/model.ts';
import { checkLogs } from './logs.ts';
import { checkRouting } from './routing.ts';
import { checkDashboardAndSloJobs, checkRuleJobs, checkScrapeWiring } from './wiring.ts';

/** The scrape wiring, Alertmanager routing and log pipeline checks, registered as one list. */
export const wiringChecks: Array<(model: Model, diagnostics: Diagnostics) => void> = [checkScrapeWiring, checkRuleJobs, checkDashboardAndSloJobs, checkRouting, checkLogs];
