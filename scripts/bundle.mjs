// Compiles the package's JavaScript into dist/ (tsc writes only the declarations beside it).
//
// The CLI and the public modules (`infermon`, `infermon/catalog/*`, `infermon/content/*`, gathered into
// one aggregate, see below) are the entries of one esbuild run with code splitting: code they share lives
// in chunks, so the CLI and the spec files it loads through the public entries share one instance of
// every module. Dependencies are bundled in: loading a few dozen files instead of several hundred (and no
// CommonJS export scanning) is most of a `check` run's start-up. esbuild stays a package of its own: it
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

const options = {
  absWorkingDir: ROOT,
  outdir: 'dist',
  outbase: '.',
  chunkNames: 'src/chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['esbuild'],
  // The runtime imports the catalog as users do (`infermon/catalog/...`): the same modules as the entries.
  conditions: ['infermon-source'],
  sourcemap: true,
  // Bundled CommonJS dependencies call require() for Node's built-in modules.
  banner: { js: "import { createRequire as __infermonCreateRequire } from 'node:module'; const require = __infermonCreateRequire(import.meta.url);" },
  logLevel: 'warning',
};

/** The names each public module exports, as esbuild resolves them (`export *` included). */
async function exportNames() {
  const { metafile } = await build({ ...options, entryPoints: PUBLIC_MODULES, write: false, metafile: true, sourcemap: false, plugins: [leaveOutUnreached] });
  const names = new Map();
  for (const output of Object.values(metafile.outputs)) if (output.entryPoint) names.set(output.entryPoint, output.exports);
  return names;
}

/**
 * Node loads every file of an ES module graph on its own (resolve, read, link): with each public module
 * an entry, esbuild made a chunk for every combination of them that shares code, and loading those many
 * small files cost a `check` run more than compiling the code in them. So the public modules are one
 * entry, `src/chunks/public.js`, each export renamed after its module (`m<index>$<name>`), and every public
 * path is a file that re-exports its module's names from it.
 */
const PUBLIC = 'src/chunks/public';
const AGGREGATE = 'infermon-public-modules';

function publicAggregate(names) {
  return {
    name: 'public-aggregate',
    setup(b) {
      b.onResolve({ filter: new RegExp(`^${AGGREGATE}$`) }, () => ({ path: AGGREGATE, namespace: AGGREGATE }));
      b.onLoad({ filter: /.*/, namespace: AGGREGATE }, () => ({
        resolveDir: ROOT,
        loader: 'js',
        contents: PUBLIC_MODULES.map((module, i) => `export { ${names.get(module).map((name) => `${name} as m${i}$${name}`).join(', ')} } from ${JSON.stringify(`./${module}`)};`).join('\n'),
      }));
    },
  };
}

function writeFacades(names) {
  for (const [i, module] of PUBLIC_MODULES.entries()) {
    const file = join(ROOT, 'dist', module.replace(/\.ts$/, '.js'));
    const from = relative(dirname(file), join(ROOT, 'dist', `${PUBLIC}.js`));
    const exported = names.get(module).map((name) => `m${i}$${name} as ${name}`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `export { ${exported.join(', ')} } from ${JSON.stringify(from.startsWith('.') ? from : `./${from}`)};\n`);
  }
}

const names = await exportNames();
await build({
  ...options,
  entryPoints: [{ in: 'src/cli/main.ts', out: 'src/cli/main' }, { in: AGGREGATE, out: PUBLIC }],
  plugins: [leaveOutUnreached, templatesCompiledAhead, publicAggregate(names)],
});
writeFacades(names);
