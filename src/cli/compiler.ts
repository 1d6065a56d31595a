/**
 * The compiler as the commands that read specs run it, loaded in one piece when one of them starts
 * (`--version` and `--help` load none of it): one dynamic import is one set of files for Node to load,
 * where an import per module split the bundle into many small ones. The public entry points come with it,
 * so the spec files find the package's modules loaded.
 */
import '../index.ts';
import '../catalog/index.ts';
import '../content/index.ts';

export { buildModel, checkArtifacts, checkModel, generateArtifacts } from '../pipeline.ts';
export { addSpecLines, specDirectoryProblem } from '../model/load.ts';
export { formatDiagnostic } from '../model/diagnostics.ts';
export { GENERATORS } from '../../generators/index.ts';
