import type { Check } from './check.ts';
import { checkLogs } from './logs.ts';
import { checkRouting } from './routing.ts';
import { checkDashboardAndSloJobs, checkRuleJobs, checkScrapeWiring } from './wiring.ts';

/** The scrape wiring, Alertmanager routing and log pipeline checks, registered as one list. */
export const wiringChecks: Check[] = [checkScrapeWiring, checkRuleJobs, checkDashboardAndSloJobs, checkRouting, checkLogs];
