import type { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseDuration } from '../model/duration.ts';
import type { SlothInput } from './sloth.ts';

/** `infermon import sloth FILE... [--out FILE]`: Sloth specs and CRs → an infermon SLO spec file. */
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
    const inputs: SlothInput[] = [];
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length > 0) sloth.error(missing.map((f) => `${f}: no such file`).join('\n'), { exitCode: 1 });
    for (const file of files) inputs.push({ file, text: readFileSync(file, 'utf8') });
    // Loaded on use, so `generate` and `check` never pay for the importer.
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
}
