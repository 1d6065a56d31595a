/**
 * The compiler as the commands that read specs use it: one lazy import, so `--help` and the commands that
 * read no specs (`init`, the router, the simulators) never initialise it.
 */
export { buildModel, checkArtifacts, checkModel, generateArtifacts } from '../pipeline.ts';
export { addSpecLines, specDirectoryProblem } from '../model/load.ts';
export { formatDiagnostic } from '../model/diagnostics.ts';
export { GENERATORS } from '../../generators/index.ts';
