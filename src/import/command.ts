import type { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDuration } from '../model/duration.ts';
import type { ImportInput, ImportResult } from './documents.ts';
import type { SlothInput } from './sloth.ts';

/**
 * `infermon import sloth|pyrra|openslo|rules FILE... [--out FILE]`: other tools' definitions → an infermon
 * spec file. The importers are loaded on use, so `generate` and `check` never pay for them.
 */

function readInputs(command: Command, files: readonly string[]): ImportInput[] {
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length > 0) command.error(missing.map((f) => `${f}: no such file`).join('\n'), { exitCode: 1 });
  return files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
}

/** Prints what was left out, then writes or prints the spec; unreadable input is one `error:` line each. */
async function runImporter(command: Command, out: string | undefined, run: () => ImportResult | Promise<ImportResult>): Promise<void> {
  const { ImportError, formatIssue } = await import('./documents.ts');
  let result: ImportResult;
  try {
    result = await run();
  } catch (err) {
    if (err instanceof ImportError) command.error(err.problems.map((p) => `error: ${p}`).join('\n'), { exitCode: 1 });
    throw err;
  }
  for (const s of result.skipped) process.stderr.write(`not converted: ${formatIssue(s)}\n`);
  for (const n of result.notes) process.stderr.write(`note: ${formatIssue(n)}\n`);
  if (out) {
    writeFileSync(out, result.text);
    process.stderr.write(`wrote ${out}\n`);
  } else process.stdout.write(result.text);
}

/** The catalog the imported specs will be checked against: the user's own specs. */
async function userCatalog(command: Command, specs: string) {
  const { buildModel } = await import('../pipeline.ts');
  const { model, diagnostics } = await buildModel(resolve(specs), process.cwd());
  if (!model || diagnostics.hasErrors)
    command.error(`error: --specs ${specs}: the specs do not load (${diagnostics.errors.length} error(s)); run \`infermon check --specs ${specs}\``, { exitCode: 1 });
  return model!;
}

export function registerImportCommand(program: Command): void {
  const importCommand = program.command('import').description('turn other tools\' definitions into infermon spec files');
  const sloth = importCommand
    .command('sloth')
    // Problems name the file and key; the usage text would bury them.
    .showHelpAfterError(false)
    .description('Sloth prometheus/v1 specs and sloth.slok.dev/v1 PrometheusServiceLevel CRs → a defineSlos(...) spec file')
    .argument('<files...>', 'Sloth YAML files (several documents per file allowed)')
    .option('--out <file>', 'write the spec file here instead of printing it (e.g. specs/slos-imported.ts)')
    .option('--period <duration>', 'SLO period of every imported SLO, as given to `sloth generate --default-slo-period`', '30d');
  sloth.action(async (files: string[], o: { out?: string; period: string }) => {
    if (parseDuration(o.period) === undefined) sloth.error(`--period: \`${o.period}\` is not a Prometheus duration such as 30d or 4w`, { exitCode: 1 });
    const inputs: SlothInput[] = readInputs(sloth, files);
    const { SlothImportError, importSloth } = await import('./sloth.ts');
    let result;
    try {
      result = importSloth(inputs, { period: o.period });
    } catch (err) {
      if (err instanceof SlothImportError) sloth.error(err.problems.map((p) => `error: ${p}`).join('\n'), { exitCode: 1 });
      throw err;
    }
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    if (o.out) {
      writeFileSync(o.out, result.text);
      process.stderr.write(`wrote ${o.out}\n`);
    } else process.stdout.write(result.text);
  });

  const pyrra = importCommand
    .command('pyrra')
    .showHelpAfterError(false)
    .description('Pyrra pyrra.dev/v1alpha1 ServiceLevelObjective CRs → a defineSlos(...) spec file')
    .argument('<files...>', 'Pyrra YAML files (several documents per file allowed)')
    .option('--out <file>', 'write the spec file here instead of printing it')
    .option('--service <name>', 'service of every imported SLO (default: each CR\'s namespace)');
  pyrra.action(async (files: string[], o: { out?: string; service?: string }) => {
    const inputs = readInputs(pyrra, files);
    const { importPyrra } = await import('./pyrra.ts');
    await runImporter(pyrra, o.out, () => importPyrra(inputs, { service: o.service }));
  });

  const openslo = importCommand
    .command('openslo')
    .showHelpAfterError(false)
    .description('OpenSLO v1 SLO and SLI documents over Prometheus → a defineSlos(...) spec file')
    .argument('<files...>', 'OpenSLO YAML files (several documents per file allowed)')
    .option('--out <file>', 'write the spec file here instead of printing it');
  openslo.action(async (files: string[], o: { out?: string }) => {
    const inputs = readInputs(openslo, files);
    const { importOpenSlo } = await import('./openslo.ts');
    await runImporter(openslo, o.out, () => importOpenSlo(inputs));
  });

  const rules = importCommand
    .command('rules')
    .showHelpAfterError(false)
    .description('Prometheus rule files and PrometheusRule CRs → defineRuleGroup(...) specs checked against the catalog')
    .argument('<files...>', 'rule files (YAML; several documents per file allowed)')
    .option('--out <file>', 'write the spec file here instead of printing it')
    .option('--specs <dir>', 'the specs whose catalog the rules are checked against', 'specs');
  rules.action(async (files: string[], o: { out?: string; specs: string }) => {
    const inputs = readInputs(rules, files);
    const model = await userCatalog(rules, o.specs);
    const { importRules } = await import('./rules.ts');
    await runImporter(rules, o.out, () =>
      importRules(inputs, { catalog: model.catalog, prometheusMajor: model.stack.value.prometheusMajor, evaluationInterval: model.stack.value.evaluationInterval }),
    );
  });
}
