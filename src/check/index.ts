import type { Check } from './check.ts';
import { checkCatalog } from './catalog.ts';
import { checkDashboards } from './dashboards.ts';
import { checkAlertIdentity, checkRules } from './rules.ts';
import { checkRunbooks } from './runbooks.ts';
import { checkSlos } from './slo.ts';
import { wiringChecks } from './wiring-checks.ts';

export type { Check } from './check.ts';

export const CHECKS: Check[] = [checkCatalog, checkRules, checkAlertIdentity, checkRunbooks, ...wiringChecks, checkDashboards, checkSlos];
