import type { Diagnostics } from '../model/diagnostics.ts';
import type { Model } from '../model/model.ts';
import { checkCatalog } from './catalog.ts';
import { checkDashboards } from './dashboards.ts';
import { checkAlertIdentity, checkRules } from './rules.ts';
import { checkRunbooks } from './runbooks.ts';
import { checkSlos } from './slo.ts';
import { wiringChecks } from './wiring-checks.ts';

/** A named rule over the whole model; it reports every problem it finds and never throws. */
export type Check = (model: Model, diagnostics: Diagnostics) => void;

export const CHECKS: Check[] = [checkCatalog, checkRules, checkAlertIdentity, checkRunbooks, ...wiringChecks, checkDashboards, checkSlos];
