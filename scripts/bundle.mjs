// Compiles the package's JavaScript into dist/ (tsc writes only the declarations beside it).
//
// Dependencies are bundled in: a few files to load instead of several hundred. The command program and the
// public modules are one CommonJS file run through V8's code cache (see RUNTIME below); the executable's
// entry and the public paths are small ES modules in front of it. esbuild stays a package of its own: it
// runs its native binary.
import { build, transform } from 'esbuild';
import Handlebars from 'handlebars';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every TypeScript module under a folder of src/, as a path from the package root. */
function modulesUnder(folder) {
  return readdirSync(join(ROOT, folder), { recursive: true })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(folder, file))
    .sort();
}

/**
 * Parts of bundled dependencies that no code path of infermon reaches, left out so that no command
 * reads and compiles them. zod's locales are reached only through `z.locales` (its messages are
 * English by default); the Grafana SDK ships dashboard-v2 builders beside the v1 builders infermon
 * uses, in every panel and query package, and they pull in both dashboard-v2 schemas.
 */
const UNREACHED = [
  {
    filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/,
    contents: () => "export { default as en } from './en.js';\n",
  },
  {
    filter: /[\\/]@grafana[\\/]grafana-foundation-sdk[\\/]dist[\\/][^\\/]+[\\/](?:visualization|visualizationV2|query|queryV2)Builder\.gen\.js$/,
    // CommonJS with the module's export names, each failing with this message if it is ever used.
    contents: (path) => {
      const names = [...new Set([...readFileSync(path, 'utf8').matchAll(/^exports\.(\w+) =/gm)].map((m) => m[1]))];
      const message = `${path.split('grafana-foundation-sdk/')[1]} is left out of infermon's build: see UNREACHED in scripts/bundle.mjs`;
      return names.map((name) => `Object.defineProperty(exports, ${JSON.stringify(name)}, { enumerable: true, get() { throw new Error(${JSON.stringify(message)}); } });\n`).join('');
    },
  },
];

const leaveOutUnreached = {
  name: 'leave-out-unreached',
  setup(b) {
    for (const { filter, contents } of UNREACHED) b.onLoad({ filter }, ({ path }) => ({ contents: contents(path), loader: 'js' }));
  },
};

/**
 * src/template-compiler.ts compiles templates from their text while the package runs from its sources.
 * The package gets this module in its place instead: every template under templates/, compiled here
 * with the same options, and Handlebars' runtime, which is all a compiled template needs.
 */
async function precompiledTemplates() {
  const options = await import(`data:text/javascript,${encodeURIComponent((await transform(readFileSync(join(ROOT, 'src/template-options.ts'), 'utf8'), { loader: 'ts' })).code)}`);
  const names = readdirSync(join(ROOT, 'templates'), { recursive: true }).filter((file) => file.endsWith('.hbs')).sort();
  const specs = names.map((name) => `  ${JSON.stringify(name)}: ${Handlebars.precompile(readFileSync(join(ROOT, 'templates', name), 'utf8'), options.TEMPLATE_OPTIONS)},`);
  return [
    "import Handlebars from 'handlebars/runtime';",
    'export { Handlebars };',
    'const COMPILED = {',
    ...specs,
    '};',
    'export function compileTemplate(engine, name) {',
    '  const spec = COMPILED[name];',
    '  if (!spec) throw new Error(`no template ${name} was compiled into the package`);',
    '  return engine.template(spec);',
    '}',
    '',
  ].join('\n');
}

const templatesCompiledAhead = {
  name: 'templates-compiled-ahead',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]template-compiler\.ts$/ }, async () => ({ contents: await precompiledTemplates(), loader: 'js', resolveDir: ROOT }));
  },
};

const PUBLIC_MODULES = ['src/index.ts', ...modulesUnder('src/catalog'), ...modulesUnder('src/content')];

const common = {
  absWorkingDir: ROOT,
  outdir: 'dist',
  outbase: '.',
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: ['esbuild'],
  // The runtime imports the catalog as users do (`infermon/catalog/...`): the same modules as the entries.
  conditions: ['infermon-source'],
  sourcemap: true,
  logLevel: 'warning',
};

/** The names each public module exports, as esbuild resolves them (`export *` included). */
async function exportNames() {
  const { metafile } = await build({ ...common, format: 'esm', splitting: true, entryPoints: PUBLIC_MODULES, write: false, metafile: true, sourcemap: false, plugins: [leaveOutUnreached] });
  const names = new Map();
  for (const output of Object.values(metafile.outputs)) if (output.entryPoint) names.set(output.entryPoint, output.exports);
  for (const [module, exported] of names) if (exported.includes('default')) throw new Error(`${module}: a default export cannot be re-exported by name from the runtime`);
  return names;
}

/**
 * Everything the CLI runs and every public module are one CommonJS file, `src/chunks/runtime.cjs`:
 * Node 20 keeps no compiled code for ES modules, but a CommonJS file can go through V8's code cache
 * (src/cli/code-cache.ts), which takes most of the start-up of a `check` away. One file is also one
 * instance of every module, whichever way it is reached: the CLI loads it, and the spec files reach it
 * through the public entries. Each public module's exports are renamed after it (`m<index>$<name>`).
 */
const RUNTIME = 'src/chunks/runtime';
const RUNTIME_ENTRY = 'infermon-runtime';

function runtimeEntry(names) {
  return {
    name: 'runtime-entry',
    setup(b) {
      b.onResolve({ filter: new RegExp(`^${RUNTIME_ENTRY}$`) }, () => ({ path: RUNTIME_ENTRY, namespace: RUNTIME_ENTRY }));
      b.onLoad({ filter: /.*/, namespace: RUNTIME_ENTRY }, () => ({
        resolveDir: ROOT,
        loader: 'js',
        contents: [
          "export { main } from './src/cli/program.ts';",
          "export { useModuleImporter } from './src/model/import-specs.ts';",
          ...PUBLIC_MODULES.map((module, i) => `export { ${names.get(module).map((name) => `${name} as m${i}$${name}`).join(', ')} } from ${JSON.stringify(`./${module}`)};`),
        ].join('\n'),
      }));
    },
  };
}

/** The public entries: ES modules whose exports are those of their module in the runtime. */
function writeFacades(names) {
  for (const [i, module] of PUBLIC_MODULES.entries()) {
    const file = join(ROOT, 'dist', module.replace(/\.ts$/, '.js'));
    const from = relative(dirname(file), join(ROOT, 'dist', `${RUNTIME}.cjs`));
    const exported = names.get(module).map((name) => `m${i}$${name}: ${name}`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      [
        "import { createRequire } from 'node:module';",
        `const runtime = createRequire(import.meta.url)(${JSON.stringify(from.startsWith('.') ? from : `./${from}`)});`,
        `export const { ${exported.join(', ')} } = runtime;`,
        '',
      ].join('\n'),
    );
  }
}

/** In the package, the executable's entry loads the program from the runtime, through the code cache. */
const compiledProgramLoader = {
  name: 'compiled-program-loader',
  setup(b) {
    b.onResolve({ filter: /^\.\/load-program\.ts$/ }, () => ({ path: join(ROOT, 'src/cli/load-program-compiled.ts') }));
  },
};

const names = await exportNames();
await build({
  ...common,
  format: 'cjs',
  entryPoints: [{ in: RUNTIME_ENTRY, out: RUNTIME }],
  outExtension: { '.js': '.cjs' },
  // CommonJS has no import.meta; modules that find files next to themselves get the runtime's own URL.
  define: { 'import.meta.url': '__infermonModuleUrl' },
  // A script run through the code cache has no `import()` (see code-cache.ts): packages are required instead,
  // and spec files imported through the entry module (useModuleImporter).
  supported: { 'dynamic-import': false },
  // Without comments and indentation the file is a third smaller and plain ASCII (licences go to a file
  // of their own): faster to read, and V8 keeps one byte per character. Stack traces map back through
  // the source map.
  minifyWhitespace: true,
  legalComments: 'linked',
  banner: { js: "var __infermonModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [leaveOutUnreached, templatesCompiledAhead, runtimeEntry(names)],
});
await build({ ...common, format: 'esm', entryPoints: [{ in: 'src/cli/main.ts', out: 'src/cli/main' }], plugins: [compiledProgramLoader] });
writeFacades(names);
