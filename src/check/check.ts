import type { Diagnostics } from '../model/diagnostics.ts';
import type { Model } from '../model/model.ts';

/** A named rule over the whole model; it reports every problem it finds and never throws. */
export type Check = (model: Model, diagnostics: Diagnostics) => void;
