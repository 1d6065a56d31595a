/**
 * The package's data flow runs one way: load and model → plan → checks → generators → emit, with the CLI and the
 * pipeline orchestrating. The reference router and simulators (src/runtime) stand apart and read the
 * catalog through the public entry points. `test/unit/architecture.test.ts` holds the code to these rules.
 */
const EARLY = '^src/(model|promql|logql|slo|grafana|catalog|content|conventions\\.ts|templates\\.ts)';

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'modules that import each other cannot be read or changed one at a time', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'early-stages-look-forward',
      comment: 'the model and its query analysis come before the plan, checks, generators, the writer and the CLI',
      severity: 'error',
      from: { path: EARLY },
      to: { path: '^(src/(plan|check|emit|cli|import|pipeline\\.ts|runtime)|generators)/?' },
    },
    {
      name: 'plan-looks-forward',
      comment: 'the plan is computed from the model alone, before anything reads it',
      severity: 'error',
      from: { path: '^src/plan' },
      to: { path: '^(src/(check|emit|cli|import|pipeline\\.ts|runtime|verify)|generators)/?' },
    },
    {
      name: 'checks-read-generators',
      comment: 'checks read the plan, never a generator or the writer',
      severity: 'error',
      from: { path: '^src/check' },
      to: { path: '^(generators|src/(emit|cli|import|pipeline\\.ts|runtime))/?' },
    },
    {
      name: 'generators-call-back',
      comment: 'generators turn the checked plan into files; they never run checks or the CLI',
      severity: 'error',
      from: { path: '^generators' },
      to: { path: '^src/(check|cli|import|pipeline\\.ts|runtime)/?' },
    },
    {
      name: 'generators-serialise',
      comment: 'generators return documents; emit alone turns them into bytes',
      severity: 'error',
      from: { path: '^generators' },
      to: { path: '^src/emit/' },
    },
    {
      name: 'writer-knows-generators',
      comment: 'the writer serialises and writes what it is given',
      severity: 'error',
      from: { path: '^src/emit' },
      to: { path: '^(generators|src/(check|cli|import|pipeline\\.ts|runtime))/?' },
    },
    {
      name: 'runtime-reaches-into-compiler',
      comment: 'the router and simulators use the catalog through `infermon/catalog`, like any user',
      severity: 'error',
      from: { path: '^src/runtime' },
      to: { path: '^(generators|src/(?!runtime/|catalog/|index\\.ts|model/duration\\.ts|model/catalog\\.ts))' },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    enhancedResolveOptions: { conditionNames: ['infermon-source', 'import', 'node', 'default'], exportsFields: ['exports'] },
  },
};
