import type { Artifact } from '../src/model/artifact.ts';
import type { Plan } from '../src/plan/index.ts';

/** A generator turns the checked plan into files. Pure: no file system, clock, randomness or environment. */
export type Generator = (plan: Plan) => Artifact[];
