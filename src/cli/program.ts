import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import type { TreeDiff, WriteResult } from '../emit/write.ts';
import { WriteError } from '../emit/write-error.ts';
import type { Diagnostics } from '../model/diagnostics.ts';
import { registerImportCommand } from '../import/command.ts';
import { registerRouterCommand } from '../runtime/router/command.ts';
import { registerSimCommands } from '../runtime/sim/command.ts';

/**
 * Thin command layer: parse flags, call the library, print diagnostics, map the outcome to an exit code.
 * The library is imported inside the actions, so `--version` and `--help` load nothing but this file.
 */
class ExitError extends Error {
  /** `shown`: the message is the whole report, printed as one `error:` line. */
  constructor(readonly code: number, message: string, readonly shown = false) {
    super(message);
  }
}

function usageError(message: string): ExitError {
  return new ExitError(1, message, true);
}

async function report(diagnostics: Diagnostics, format: 'text' | 'json'): Promise<void> {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(diagnostics.items, null, 2)}\n`);
    return;
  }
  const { formatDiagnostic } = await import('./compiler.ts');
  for (const d of diagnostics.items) process.stderr.write(`${formatDiagnostic(d)}\n`);
  const errors = diagnostics.errors.length;
  const warnings = diagnostics.items.length - errors;
  if (diagnostics.items.length > 0) process.stderr.write(`${errors} error(s), ${warnings} warning(s)\n`);
}

function requirePath(flag: string, value: string, example: string): void {
  if (value.trim() === '') throw usageError(`${flag} is empty; name a directory (e.g. ${flag} ${example})`);
}

/** Load and check the specs; reports and stops on errors. */
async function checkedModel(specs: string, format: 'text' | 'json') {
  const { model, diagnostics } = await loadAndCheck(specs);
  await report(diagnostics, format);
  if (!model || diagnostics.hasErrors) throw new ExitError(1, 'the specs have errors; nothing was written');
  return model;
}

async function loadAndCheck(specs: string) {
  const root = process.cwd();
  requirePath('--specs', specs, 'specs');
  const { buildModel, checkModel, addSpecLines, specDirectoryProblem } = await import('./compiler.ts');
  const problem = specDirectoryProblem(resolve(specs));
  if (problem) throw usageError(`--specs ${specs}: ${problem}`);
  const { model, diagnostics } = await buildModel(resolve(specs), root);
  if (model) checkModel(model, diagnostics);
  addSpecLines(diagnostics.items, root);
  diagnostics.collapseRepeats();
  return { model, diagnostics };
}

/**
 * Load, check, generate, and check what was generated; reports every diagnostic once and stops on
 * errors, so nothing is written from specs that produce objects Kubernetes would refuse. `check` leaves
 * out the documentation pages: it writes nothing, and no check reads them.
 */
async function checkedArtifacts(specs: string, format: 'text' | 'json', documentation = true) {
  const { model, diagnostics } = await loadAndCheck(specs);
  const { generateArtifacts, checkArtifacts } = await import('./compiler.ts');
  const artifacts = model && !diagnostics.hasErrors ? generateArtifacts(model, { documentation }) : [];
  checkArtifacts(artifacts, diagnostics);
  await report(diagnostics, format);
  if (!model || diagnostics.hasErrors) throw new ExitError(1, 'the specs have errors; nothing was written');
  return { model, artifacts };
}

const specsOption = new Option('--specs <dir>', 'spec directory').default('specs');
const formatOption = new Option('--format <format>', 'diagnostics format').choices(['text', 'json']).default('text');
const reportFormatOption = new Option('--format <format>', 'report format').choices(['text', 'json']).default('text');

/** Runs a live check; an unreachable Prometheus or endpoint is one `error:` line, not a stack trace. */
async function withOneLineErrors(run: () => Promise<boolean>): Promise<boolean> {
  try {
    return await run();
  } catch (err) {
    throw usageError((err as Error).message);
  }
}

async function refuseOverlap(out: string, specs: string, artifactPaths: readonly string[]): Promise<void> {
  const { outputOverlapsInputs } = await import('../emit/output-dir.ts');
  const overlap = outputOverlapsInputs(out, resolve(specs), artifactPaths);
  if (overlap) throw usageError(overlap);
}

/** `out/` from `--out out` or `--out out/`, for messages. */
function asDir(flag: string): string {
  return flag.endsWith('/') ? flag : `${flag}/`;
}

function reportStaleness(outFlag: string, diff: TreeDiff, files: number, generateCommand: string): void {
  if (diff.interrupted) throw usageError(`${asDir(outFlag)} holds an interrupted write; run \`${generateCommand}\` to finish it`);
  const stale = [...diff.added.map((p) => `+ ${p}`), ...diff.changed.map((p) => `~ ${p}`), ...diff.removed.map((p) => `- ${p}`)];
  if (stale.length > 0) {
    process.stderr.write(`${asDir(outFlag)} is stale; run \`${generateCommand}\`:\n${stale.join('\n')}\n`);
    throw new ExitError(1, 'stale output');
  }
  process.stdout.write(`${asDir(outFlag)} is up to date (${files} files)\n`);
}

function reportWrite(outFlag: string, result: WriteResult): void {
  if (result.recovered === 'rolled back') process.stderr.write(`note: undid an interrupted earlier write in ${asDir(outFlag)}\n`);
  if (result.recovered === 'completed') process.stderr.write(`note: finished an interrupted earlier write in ${asDir(outFlag)}\n`);
  if (result.adopted > 0) process.stderr.write(`note: infermon now owns ${result.adopted} existing file(s) in ${asDir(outFlag)}\n`);
  process.stdout.write(`wrote ${result.files} files to ${asDir(outFlag)} (${result.written} changed, ${result.removed} removed)\n`);
  if (result.cleanupProblem) process.stderr.write(`warning: ${result.cleanupProblem}\n`);
}

export function buildProgram(version: string): Command {
  const program = new Command('infermon')
    .description('Monitoring-as-code for LLM inference platforms')
    .version(version)
    .showHelpAfterError()
    // Options after a subcommand are that subcommand's (`catalog --format md`, `catalog diff --format json`).
    .enablePositionalOptions();

  program
    .command('generate')
    .description('check the specs and write every artifact into the output directory')
    .addOption(specsOption)
    .option('--out <dir>', 'output directory', 'out')
    .option('--check', 'do not write; list files that differ and fail when out/ is stale')
    .option('--adopt', 'take over existing files at the paths infermon generates, even ones it did not write')
    .addOption(formatOption)
    .action(async (opts: { specs: string; out: string; check?: boolean; adopt?: boolean; format: 'text' | 'json' }) => {
      requirePath('--specs', opts.specs, 'specs');
      requirePath('--out', opts.out, 'out');
      const out = resolve(opts.out);
      // Path mistakes are reported before the specs load, so they cost no waiting.
      const { inspectOutputDir } = await import('../emit/output-dir.ts');
      inspectOutputDir(out);
      await refuseOverlap(out, opts.specs, []);
      const { model, artifacts } = await checkedArtifacts(opts.specs, opts.format);
      const { diffTree, writeTree } = await import('../emit/write.ts');
      await refuseOverlap(out, opts.specs, artifacts.map((a) => a.path));
      if (opts.check) {
        reportStaleness(opts.out, diffTree(out, artifacts), artifacts.length, model.stack.value.generateCommand);
        return;
      }
      reportWrite(opts.out, writeTree(out, artifacts, { adopt: opts.adopt ?? false }));
    });

  program
    .command('check')
    .description('check the specs and print diagnostics; writes nothing')
    .addOption(specsOption)
    .addOption(formatOption)
    .option(
      '--upgrade <source=version>',
      'list every alert, rule, SLO and panel the source\'s release breaks or changes (repeatable); exit 1 if anything breaks',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .action(async (opts: { specs: string; format: 'text' | 'json'; upgrade: string[] }) => {
      if (opts.upgrade.length > 0) {
        // The specs' own diagnostics go to stderr; stdout holds the upgrade report alone, in the asked format.
        const model = await checkedModel(opts.specs, 'text');
        const { runUpgradeCheck } = await import('./upgrade.ts');
        if (!(await withOneLineErrors(async () => runUpgradeCheck(model, opts, process.cwd())))) throw new ExitError(1, 'the upgrade breaks queries');
        return;
      }
      const { model } = await checkedArtifacts(opts.specs, opts.format, false);
      const { GENERATORS } = await import('./compiler.ts');
      if (opts.format === 'text') process.stdout.write(`ok: ${model.catalog.metrics.length} metrics, ${GENERATORS.length} generators, no errors\n`);
    });

  const catalog = program
    .command('catalog')
    .description('print the metric catalog')
    .enablePositionalOptions()
    .addOption(specsOption)
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .action(async (opts: { specs: string; format: 'md' | 'json' }) => {
      const model = await checkedModel(opts.specs, 'text');
      const { catalogDocument, catalogMarkdown } = await import('../../generators/docs/catalog.ts');
      const { toJson } = await import('../emit/serialize.ts');
      process.stdout.write(opts.format === 'json' ? toJson(catalogDocument(model)) : catalogMarkdown(model));
    });

  catalog
    .command('diff')
    .description('compare one /metrics endpoint or saved exposition with its catalog source; exit 1 on any difference')
    .requiredOption('--scrape <url|file>', 'a /metrics URL or a file holding a text exposition')
    .option('--source <name>', 'catalog source to compare with (default: the one most of its families belong to)')
    .addOption(specsOption)
    .addOption(reportFormatOption)
    .action(async (opts: { scrape: string; source?: string; specs: string; format: 'text' | 'json' }) => {
      const model = await checkedModel(opts.specs, 'text');
      const { runCatalogDiff } = await import('./catalog-diff.ts');
      if (!(await withOneLineErrors(() => runCatalogDiff(model, opts)))) throw new ExitError(1, 'the scrape differs from the catalog');
    });

  program
    .command('verify')
    .description('check a running Prometheus: targets up, every generated query answered, families and labels as catalogued')
    .requiredOption('--prometheus <url>', 'base URL of the Prometheus to check')
    .option('--rate-interval <duration>', 'what $__rate_interval and SLI windows become', '5m')
    .addOption(specsOption)
    .addOption(reportFormatOption)
    .action(async (opts: { prometheus: string; rateInterval: string; specs: string; format: 'text' | 'json' }) => {
      const model = await checkedModel(opts.specs, 'text');
      const { runVerify } = await import('./verify.ts');
      if (!(await withOneLineErrors(() => runVerify(model, opts)))) throw new ExitError(1, 'verify found problems');
    });

  program
    .command('test-routes')
    .description('run the generated Alertmanager routing tests through amtool: every alert reaches exactly its receivers')
    .option('--out <dir>', 'output directory', 'out')
    .option('--amtool <path>', 'the amtool to run', 'amtool')
    .addOption(reportFormatOption)
    .action(async (opts: { out: string; amtool: string; format: 'text' | 'json' }) => {
      const { runRouteTestsCommand } = await import('./test-routes.ts');
      const { RouteTestError } = await import('../verify/route-tests.ts');
      let passed: boolean;
      try {
        passed = await runRouteTestsCommand(opts);
      } catch (err) {
        throw err instanceof RouteTestError ? usageError(err.message) : err;
      }
      if (!passed) throw new ExitError(1, 'routing tests failed');
    });

  const sourcesOption = new Option('--sources <names>', 'comma-separated catalog sources to monitor').default('vllm,dcgm,kthena-router');
  const init = program
    .command('init')
    .description('scaffold a monitoring repository: specs, CI workflows, package.json; never replaces a file')
    .argument('[dir]', 'directory to scaffold', '.')
    .addOption(sourcesOption)
    .action(async (dir: string, opts: { sources: string }) => {
      const { runInit } = await import('./init.ts');
      const problem = runInit(dir, opts);
      if (problem) throw usageError(problem);
    });
  // The valid sources are read from the catalog, so they are loaded only once init runs or shows its help.
  program.hook('preSubcommand', async (_program, command) => {
    if (command !== init) return;
    const { selectableSourceNames } = await import('./init/sources.ts');
    sourcesOption.description = `${sourcesOption.description}: ${selectableSourceNames().join(', ')}`;
  });

  registerRouterCommand(program);
  registerImportCommand(program);
  registerSimCommands(program);
  return program;
}

/**
 * `help <command>` as `<command> --help`: commander prints a subcommand's help for `help <command>` before
 * its hooks run, and `init` lists its sources from the catalog in one.
 */
function helpAsFlag(program: Command, argv: readonly string[]): string[] {
  const [node, script, first, command, ...rest] = argv;
  const known = program.commands.some((c) => c.name() === command);
  return first === 'help' && known && rest.length === 0 ? [node!, script!, command!, '--help'] : [...argv];
}

export async function main(argv: string[], version: string): Promise<number> {
  try {
    const program = buildProgram(version);
    await program.parseAsync(helpAsFlag(program, argv));
    return 0;
  } catch (err) {
    if (err instanceof ExitError) {
      if (err.shown) process.stderr.write(`error: ${err.message}\n`);
      return err.code;
    }
    if (err instanceof WriteError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    return 2;
  }
}
