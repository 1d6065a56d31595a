import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchGenerate } from './generate.ts';
import { benchRouter } from './router.ts';
import { benchScale } from './scale.ts';
import { benchSloEval } from './slo-eval.ts';
import { benchSloGrouped } from './slo-grouped.ts';
import type { BenchSection } from './stats.ts';

/**
 * `npm run bench`: runs every benchmark side by side on this machine and rewrites BENCHMARKS.md with the
 * machine, the method and the medians. Pass names to run a subset: `npm run bench -- generate`.
 */
const BENCHES: Record<string, () => Promise<BenchSection>> = {
  generate: benchGenerate,
  scale: benchScale,
  router: benchRouter,
  'slo-eval': benchSloEval,
  'slo-grouped': benchSloGrouped,
};

const RESULTS = join(import.meta.dirname, '..', 'BENCHMARKS.md');

/** Sections already in BENCHMARKS.md, by title, so a partial run keeps the results it did not redo. */
function previousSections(): BenchSection[] {
  if (!existsSync(RESULTS)) return [];
  return readFileSync(RESULTS, 'utf8')
    .split(/^## /m)
    .slice(1)
    .map((chunk) => {
      const [title = '', ...rest] = chunk.split('\n');
      return { title, body: rest.join('\n').trim() };
    });
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const sections = previousSections();
  for (const [name, run] of Object.entries(BENCHES)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    process.stderr.write(`bench ${name}...\n`);
    const fresh = await run();
    const at = sections.findIndex((s) => s.title === fresh.title);
    if (at >= 0) sections[at] = fresh;
    else sections.push(fresh);
  }
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}`;
  const text = [
    '# Benchmarks',
    '',
    'Written by `npm run bench`. The machines are shared and noisy, so every comparison runs side by side in one',
    'run and the tables quote medians and ratios, never single timings.',
    '',
    `Machine: ${machine}.`,
    '',
    ...sections.flatMap((s) => [`## ${s.title}`, '', s.body, '']),
  ].join('\n');
  writeFileSync(RESULTS, text);
  process.stdout.write(text);
}

await main();
