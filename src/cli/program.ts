import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import type { Diagnostics } from '../model/diagnostics.ts';
import { registerRouterCommand } from '../runtime/router/command.ts';
import { registerImportCommand } from '../import/command.ts';
import { registerSimCommands } from '../runtime/sim/command.ts';

/** Thin command layer: parse flags, call the library, print diagnostics, map the outcome to an exit code. */
class ExitError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

async function report(diagnostics: Diagnostics, format: 'text' | 'json'): Promise<void> {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(diagnostics.items, null, 2)}\n`);
    return;
  }
  const { formatDiagnostic } = await import('../model/diagnostics.ts');
  for (const d of diagnostics.items) process.stderr.write(`${formatDiagnostic(d)}\n`);
  const errors = diagnostics.errors.length;
  const warnings = diagnostics.items.length - errors;
  if (diagnostics.items.length > 0) process.stderr.write(`${errors} error(s), ${warnings} warning(s)\n`);
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
  // Everything compiled is loaded before the spec files: once the TypeScript loader is registered for
  // them, every further module load takes a round trip through its hooks.
  const [{ buildModel, checkModel }] = await Promise.all([
    import('../pipeline.ts'),
    import('../index.ts'),
    import('../catalog/index.ts'),
    import('../content/index.ts'),
    import('../../generators/index.ts'),
  ]);
  const { model, diagnostics } = await buildModel(resolve(specs), root);
  if (model) checkModel(model, diagnostics);
  return { model, diagnostics };
}

/**
 * Load, check, generate, and check what was generated; reports every diagnostic once and stops on
 * errors, so nothing is written from specs that produce objects Kubernetes would refuse.
 */
async function checkedArtifacts(specs: string, format: 'text' | 'json') {
  const { model, diagnostics } = await loadAndCheck(specs);
  const { generateArtifacts, checkArtifacts } = await import('../pipeline.ts');
  const artifacts = model && !diagnostics.hasErrors ? generateArtifacts(model) : [];
  checkArtifacts(artifacts, diagnostics);
  await report(diagnostics, format);
  if (!model || diagnostics.hasErrors) throw new ExitError(1, 'the specs have errors; nothing was written');
  return { model, artifacts };
}

const specsOption = new Option('--specs <dir>', 'spec directory').default('specs');
const formatOption = new Option('--format <format>', 'diagnostics format').choices(['text', 'json']).default('text');

export function buildProgram(version: string): Command {
  const program = new Command('infermon')
    .description('Monitoring-as-code for LLM inference platforms')
    .version(version)
    .showHelpAfterError();

  program
    .command('generate')
    .description('check the specs and write every artifact into the output directory')
    .addOption(specsOption)
    .option('--out <dir>', 'output directory', 'out')
    .option('--check', 'do not write; list files that differ and fail when out/ is stale')
    .addOption(formatOption)
    .action(async (opts: { specs: string; out: string; check?: boolean; format: 'text' | 'json' }) => {
      const { model, artifacts } = await checkedArtifacts(opts.specs, opts.format);
      const { diffTree, writeTree } = await import('../emit/write.ts');
      const out = resolve(opts.out);
      if (opts.check) {
        const diff = diffTree(out, artifacts);
        const stale = [...diff.added.map((p) => `+ ${p}`), ...diff.changed.map((p) => `~ ${p}`), ...diff.removed.map((p) => `- ${p}`)];
        if (stale.length > 0) {
          process.stderr.write(`${opts.out}/ is stale; run \`${model.stack.value.generateCommand}\`:\n${stale.join('\n')}\n`);
          throw new ExitError(1, 'stale output');
        }
        process.stdout.write(`${opts.out}/ is up to date (${artifacts.length} files)\n`);
        return;
      }
      writeTree(out, artifacts);
      process.stdout.write(`wrote ${artifacts.length} files to ${opts.out}/\n`);
    });

  program
    .command('check')
    .description('check the specs and print diagnostics; writes nothing')
    .addOption(specsOption)
    .addOption(formatOption)
    .action(async (opts: { specs: string; format: 'text' | 'json' }) => {
      const { model } = await checkedArtifacts(opts.specs, opts.format);
      const { GENERATORS } = await import('../../generators/index.ts');
      if (opts.format === 'text') process.stdout.write(`ok: ${model.catalog.metrics.length} metrics, ${GENERATORS.length} generators, no errors\n`);
    });

  program
    .command('catalog')
    .description('print the metric catalog')
    .addOption(specsOption)
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .action(async (opts: { specs: string; format: 'md' | 'json' }) => {
      const model = await checkedModel(opts.specs, 'text');
      const { catalogJson, catalogMarkdown } = await import('../../generators/docs/catalog.ts');
      process.stdout.write(opts.format === 'json' ? catalogJson(model) : catalogMarkdown(model));
    });

  registerRouterCommand(program);
  registerImportCommand(program);
  registerSimCommands(program);
  return program;
}

export async function main(argv: string[], version: string): Promise<number> {
  try {
    await buildProgram(version).parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof ExitError) return err.code;
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    return 2;
  }
}
