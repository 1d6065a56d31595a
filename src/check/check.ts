import type { Diagnostics } from '../model/diagnostics.ts';
import type { Plan } from '../plan/index.ts';

/** A named rule over the whole plan; it reports every problem it finds and never throws. */
export type Check = (plan: Plan, diagnostics: Diagnostics) => void;
