import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { OUT } from '../src/conventions.ts';
import { MANIFEST_FILE, listFiles } from '../src/emit/write.ts';
import { BASELINE, builtCheckout, commitOf, recordedCell } from './baseline-build.ts';
import { summarizeProfile, type HotSpot } from './cpu-profile.ts';
import { ALERTS_PER_MODEL, MODELS_PER_ALERT_FILE, MODELS_PER_SLO_SERVICE, writeScaleSpecs, type ScaleSpecs } from './scale-specs.ts';
import { median, type BenchSection } from './stats.ts';

const ROOT = join(import.meta.dirname, '..');
/** The compiled CLI in a checkout, as an installed package runs it (`npm run build` makes it). */
const CLI = join('bin', 'infermon.mjs');
const GNU_TIME = '/usr/bin/time';
const SIZES = [100, 1_000, 10_000];
const RUNS = 3;
const TARGET = { models: 10_000, seconds: 10, bytes: 2 ** 30 };

interface Measurement {
  wallMs: number;
  /** CPU time in user space of the CLI and its child processes: the work itself, steady under load. */
  userMs: number;
  /**
   * CPU time in the kernel: mostly file creation. It swings with the file system's state (ext4 inode
   * allocation slows down after mass deletions) and with other load, so it is reported apart.
   */
  sysMs: number;
  /** Peak resident set size of the largest process in the tree (Linux `ru_maxrss`). */
  peakRssBytes: number;
  files: number;
  rules: number;
}

interface SizeResult {
  specs: ScaleSpecs;
  runs: Measurement[];
}

/** `GNU time -v` prints one `Label: value` line per resource; values of interest are numbers. */
function timeField(report: string, label: string): number {
  const line = report.split('\n').find((l) => l.trim().startsWith(`${label}:`));
  if (!line) throw new Error(`\`${GNU_TIME} -v\` printed no "${label}" line`);
  return Number(line.slice(line.lastIndexOf(':') + 1).trim());
}

function rulesIn(outDir: string): number {
  const dir = join(outDir, OUT.prometheusRules);
  let count = 0;
  for (const f of readdirSync(dir)) count += readFileSync(join(dir, f), 'utf8').match(/^\s*- (alert|record): /gm)?.length ?? 0;
  return count;
}

/**
 * Output trees of finished runs. They are removed only when the whole benchmark is done: deleting tens of
 * thousands of files between runs slows the file system's next creations and would be timed as ours.
 */
const finishedOutputs: string[] = [];

/** One `infermon generate` as users run it, in its own process, under GNU time for peak memory. */
function generateOnce(specDir: string, build = ROOT): Measurement {
  const out = mkdtempSync(join(tmpdir(), 'infermon-scale-out-'));
  finishedOutputs.push(out);
  const outDir = join(out, 'out');
  const start = performance.now();
  const r = spawnSync(GNU_TIME, ['-v', process.execPath, join(build, CLI), 'generate', '--specs', specDir, '--out', outDir], {
    cwd: build,
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  });
  const wallMs = performance.now() - start;
  if (r.status !== 0) throw new Error(`generate --specs ${specDir} failed (${r.status}):\n${r.stderr.slice(-4000)}`);
  const files = listFiles(outDir).filter((f) => f !== MANIFEST_FILE).length;
  const reported = Number(/wrote (\d+) files/.exec(r.stdout)?.[1]);
  if (reported !== files) throw new Error(`generate reported ${reported} files but ${files} are in ${outDir}`);
  return {
    wallMs,
    userMs: timeField(r.stderr, 'User time (seconds)') * 1000,
    sysMs: timeField(r.stderr, 'System time (seconds)') * 1000,
    peakRssBytes: timeField(r.stderr, 'Maximum resident set size (kbytes)') * 1024,
    files,
    rules: rulesIn(outDir),
  };
}

/** Files the file-creation probe makes: enough to average out one slow `open`, few enough to take a second. */
const PROBE_FILES = 2_000;

/**
 * Milliseconds to create, write (1 KiB) and close one new file in the temporary directory the outputs go
 * to: the floor under a write of tens of thousands of files, which the machine, not infermon, sets.
 */
function fileCreationMs(): number {
  const dir = mkdtempSync(join(tmpdir(), 'infermon-scale-probe-'));
  finishedOutputs.push(dir);
  const content = Buffer.alloc(1024, 'x');
  const start = performance.now();
  for (let i = 0; i < PROBE_FILES; i++) {
    const fd = openSync(join(dir, `${i}.md`), 'w');
    writeSync(fd, content);
    closeSync(fd);
  }
  return (performance.now() - start) / PROBE_FILES;
}

/** One generate of the largest size with V8's sampling profiler, in the CLI's own process. */
function profileOnce(specDir: string): { hot: ReturnType<typeof summarizeProfile>; wallMs: number } {
  const work = mkdtempSync(join(tmpdir(), 'infermon-scale-prof-'));
  try {
    const start = performance.now();
    const r = spawnSync(
      process.execPath,
      ['--cpu-prof', '--cpu-prof-dir', join(work, 'prof'), join(ROOT, CLI), 'generate', '--specs', specDir, '--out', join(work, 'out')],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 },
    );
    const wallMs = performance.now() - start;
    if (r.status !== 0) throw new Error(`profiled generate failed (${r.status}):\n${r.stderr.slice(-4000)}`);
    const profiles = readdirSync(join(work, 'prof')).map((f) => join(work, 'prof', f));
    const main = profiles.sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0]!;
    return { hot: summarizeProfile(main, ROOT), wallMs };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const times = (x: number) => `${x.toFixed(1)}×`;
const same = (values: number[]) => (new Set(values).size === 1 ? String(values[0]) : values.join('/'));

function hotSpotRows(spots: HotSpot[], column: 'totalMs' | 'selfMs', totalMs: number): string[] {
  return spots.map((s) => `| \`${s.frame}\` | ${seconds(s[column])} | ${((100 * s[column]) / totalMs).toFixed(1)}% |`);
}

/**
 * `npm run bench -- scale`: synthetic platforms of 100, 1,000 and 10,000 served models, each with one
 * availability SLO and one alert group, through the real `infermon generate`. Reports wall time, CPU time
 * and peak memory per size and how they grow; profiles the largest size when it misses the target.
 */
export async function benchScale(sizes: readonly number[] = SIZES, options: { profile?: boolean } = {}): Promise<BenchSection> {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is missing; install it with \`apt-get install -y time\``);
  const results: SizeResult[] = [];
  const loadAtStart = loadavg()[0]!;
  const creationAtStart = fileCreationMs();
  let baseline: Baseline | undefined;
  try {
    if (BASELINE) baseline = await baselineAt(BASELINE, Math.max(...sizes));
    for (const models of sizes) {
      const specs = writeScaleSpecs(models);
      results.push({ specs, runs: [] });
      // Untimed: warms the file system cache for the new spec files, as after a developer's first run.
      generateOnce(specs.dir);
    }
    if (baseline) generateOnce(baseline.specs.dir, baseline.source);
    const report = (label: string, run: number, m: Measurement) =>
      process.stderr.write(`  scale: ${label}, run ${run}/${RUNS}: ${seconds(m.wallMs)} wall, ${seconds(m.userMs)} user, ${seconds(m.sysMs)} sys, ${mib(m.peakRssBytes)}\n`);
    // Interleaved so machine noise hits every size, and the baseline, alike.
    for (let i = 0; i < RUNS; i++) {
      for (const r of results) {
        const m = generateOnce(r.specs.dir);
        r.runs.push(m);
        report(`${r.specs.models} models`, i + 1, m);
      }
      if (baseline) {
        const m = generateOnce(baseline.specs.dir, baseline.source);
        baseline.runs.push(m);
        report(`${baseline.commit}, ${baseline.specs.models} models`, i + 1, m);
      }
    }

    const rows = results.map((r) => ({
      models: r.specs.models,
      slos: r.specs.slos,
      runs: r.runs,
      wall: median(r.runs.map((m) => m.wallMs)),
      user: median(r.runs.map((m) => m.userMs)),
      sys: median(r.runs.map((m) => m.sysMs)),
      rss: median(r.runs.map((m) => m.peakRssBytes)),
    }));
    const lines = rows.map((r, i) => {
      const prev = rows[i - 1];
      const growth = prev
        ? `${times(r.models / prev.models)} models → ${times(r.wall / prev.wall)} wall, ${times(r.user / prev.user)} user CPU, ${times(r.rss / prev.rss)} RSS`
        : '—';
      const walls = r.runs.map((m) => m.wallMs);
      return `| ${r.models.toLocaleString('en')} | ${r.slos.toLocaleString('en')} | ${same(r.runs.map((m) => m.rules))} | ${same(r.runs.map((m) => m.files))} | ${seconds(r.wall)} (${seconds(Math.min(...walls))}–${seconds(Math.max(...walls))}) | ${seconds(r.user)} | ${seconds(r.sys)} | ${mib(r.rss)} | ${(r.wall / r.models).toFixed(2)} ms | ${growth} |`;
    });
    // Linear cost means every added model costs the same; a fixed start-up cost makes the ratios fall short of 10×.
    const steps = rows.slice(1).map((r, i) => {
      const prev = rows[i]!;
      const per = (key: 'wall' | 'user' | 'rss') => (r[key] - prev[key]) / (r.models - prev.models);
      return `| ${prev.models.toLocaleString('en')} → ${r.models.toLocaleString('en')} | ${per('wall').toFixed(2)} ms | ${per('user').toFixed(2)} ms | ${(per('rss') / 1024).toFixed(1)} KiB |`;
    });
    const small = rows[0]!;
    const large = rows[rows.length - 1]!;
    const userPerModel = (large.user - small.user) / (large.models - small.models);
    const fixedUser = small.user - userPerModel * small.models;
    const atTarget = rows.find((r) => r.models === TARGET.models);
    const withinTime = atTarget !== undefined && atTarget.wall <= TARGET.seconds * 1000;
    const withinMemory = atTarget !== undefined && atTarget.rss <= TARGET.bytes;

    const body = [
      `Synthetic platforms of ${sizes.map((n) => n.toLocaleString('en')).join(', ')} served models, written into a temporary spec directory: the real stack, catalog and routing re-exported by absolute path, one availability SLO per model (ratio SLI on \`vllm:request_success_total\`, 30 d, page and ticket alerts), ${MODELS_PER_SLO_SERVICE} per SLO service as in \`specs/slos.ts\`, and one alert group per model (${ALERTS_PER_MODEL} alerts with promtool cases) in \`alerts/*.ts\`, ${MODELS_PER_ALERT_FILE} groups per spec file and per output rule file. Each size runs the compiled CLI as an installed package runs it (\`node bin/infermon.mjs generate --specs DIR --out TMP\`: the spec bundle, every check, every generator, the atomic write) as a child process under \`${GNU_TIME} -v\`; peak RSS is the largest process of the tree. One untimed warm-up per size, then ${RUNS} runs per size, interleaved; the table quotes medians (wall time with its range over the runs). Rules are the \`alert\`/\`record\` entries under \`out/${OUT.prometheusRules}/\`; files are everything written to the output directory. The machine is shared: user CPU time is the steady measure of the work; system time is mostly file creation and swings with the file system's state and other load; wall time is what the target is about.`,
      '',
      `Target: ${TARGET.models.toLocaleString('en')} SLOs generate and validate in ≤ ${TARGET.seconds} s and ≤ ${TARGET.bytes / 2 ** 30} GiB.`,
      '',
      '| models | SLOs | rules generated | files written | median wall (range) | median user CPU | median system CPU | median peak RSS | wall per model | growth from the previous size |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...lines,
      '',
      'Cost of each added model between sizes (difference of medians over difference of models); equal rows mean cost linear in the spec size:',
      '',
      '| step | wall per added model | user CPU per added model | peak RSS per added model |',
      '| --- | --- | --- | --- |',
      ...steps,
      '',
      `Over the whole range, user CPU grows by ${userPerModel.toFixed(2)} ms per model on top of about ${seconds(Math.max(0, fixedUser))} of fixed cost (Node start-up, loading the package, the outputs every size shares), which is why 10× the models costs less than 10× the time at the small sizes.`,
      '',
      // Other work on a shared machine slows every run alike; the load says how much there was.
      `Load average (1 min) on the ${cpus().length} cores: ${loadAtStart.toFixed(2)} when the runs started, ${loadavg()[0]!.toFixed(2)} when they ended.`,
      '',
      fileCreationNote(creationAtStart, fileCreationMs(), large),
      '',
      atTarget
        ? `${atTarget.models.toLocaleString('en')} models: ${seconds(atTarget.wall)} wall (${withinTime ? 'within' : 'OVER'} the ${TARGET.seconds} s target), ${mib(atTarget.rss)} peak RSS (${withinMemory ? 'within' : 'OVER'} the ${TARGET.bytes / 2 ** 30} GiB target).`
        : `The target size (${TARGET.models.toLocaleString('en')} models) was not part of this run.`,
      ...(baseline ? ['', baselineComparison(baseline, results)] : []),
      ...(baseline && atTarget ? projectionOnRecordedMachine(baseline, results, TARGET.models) : []),
    ];

    if (options.profile ?? (atTarget !== undefined && !(withinTime && withinMemory))) {
      process.stderr.write(`  scale: profiling ${large.models} models\n`);
      const { hot, wallMs } = profileOnce(results[results.length - 1]!.specs.dir);
      body.push(
        '',
        `### Where the time goes at ${large.models.toLocaleString('en')} models`,
        '',
        `One run under \`node --cpu-prof bin/infermon.mjs generate\` (${seconds(wallMs)} wall with the profiler; ${seconds(hot.totalMs)} of main-thread samples, time blocked in system calls included). Project functions by total time (callees included):`,
        '',
        '| function | total | share |',
        '| --- | --- | --- |',
        ...hotSpotRows(hot.project, 'totalMs', hot.totalMs),
        '',
        'Every function by self time:',
        '',
        '| function | self | share |',
        '| --- | --- | --- |',
        ...hotSpotRows(hot.self, 'selfMs', hot.totalMs),
      );
    }
    return { title: 'Scale: generate time and memory against spec size', body: body.join('\n') };
  } finally {
    for (const r of results) rmSync(r.specs.dir, { recursive: true, force: true });
    for (const out of finishedOutputs.splice(0)) rmSync(out, { recursive: true, force: true });
    baseline?.cleanup();
  }
}

interface Baseline {
  commit: string;
  source: string;
  specs: ScaleSpecs;
  runs: Measurement[];
  cleanup: () => void;
}

/**
 * The build of `ref` with a spec set of `models` written by that commit's own scale-spec writer: its specs
 * import that commit's package, whose objects its compiler expects.
 */
async function baselineAt(ref: string, models: number): Promise<Baseline> {
  const work = mkdtempSync(join(tmpdir(), 'infermon-scale-baseline-'));
  let removeCheckout = () => {};
  const cleanup = () => {
    removeCheckout();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const checkout = builtCheckout(ref, join(work, 'source'));
    removeCheckout = checkout.cleanup;
    const writer = (await import(pathToFileURL(join(checkout.source, 'bench', 'scale-specs.ts')).href)) as { writeScaleSpecs: typeof writeScaleSpecs };
    return { commit: commitOf(ref), source: checkout.source, specs: writer.writeScaleSpecs(models), runs: [], cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** How long the file system took to create a file, and what that alone makes of the largest size's write. */
function fileCreationNote(atStart: number, atEnd: number, large: { models: number; runs: Measurement[] }): string {
  const files = large.runs[0]!.files;
  const floor = (ms: number) => seconds(ms * files);
  return (
    `Creating one new 1 KiB file in the temporary directory took ${atStart.toFixed(3)} ms when the runs started and ${atEnd.toFixed(3)} ms when they ended (${PROBE_FILES.toLocaleString('en')} files each): ` +
    `the ${files.toLocaleString('en')} files of ${large.models.toLocaleString('en')} models cost ${floor(Math.min(atStart, atEnd))}–${floor(Math.max(atStart, atEnd))} of file creation alone on this machine, on the writing thread.`
  );
}

/** This build's time over the baseline's at the baseline's size, one ratio per round. */
function roundRatios(baseline: Baseline, results: readonly SizeResult[], key: 'wallMs' | 'userMs'): number[] {
  const runs = results.find((r) => r.specs.models === baseline.specs.models)!.runs;
  return runs.map((m, i) => m[key] / baseline.runs[i]![key]);
}

/** This build against the baseline at the baseline's size, round by round: both ran back to back in each round. */
function baselineComparison(baseline: Baseline, results: readonly SizeResult[]): string {
  const ratios = (key: 'wallMs' | 'userMs') => roundRatios(baseline, results, key);
  const listed = (values: number[]) => `${values.map((v) => v.toFixed(2)).join(', ')} (median ${median(values).toFixed(2)})`;
  const walls = baseline.runs.map((m) => m.wallMs);
  return (
    `The build of \`${baseline.commit}\` (that commit's package and its own spec set of ${baseline.specs.models.toLocaleString('en')} models), run after this build's runs in each round: ` +
    `median wall ${seconds(median(walls))} (${seconds(Math.min(...walls))}–${seconds(Math.max(...walls))}), user CPU ${seconds(median(baseline.runs.map((m) => m.userMs)))}, peak RSS ${mib(median(baseline.runs.map((m) => m.peakRssBytes)))}. ` +
    `This build against it, round by round: wall ${listed(ratios('wallMs'))}, user CPU ${listed(ratios('userMs'))}.`
  );
}

/**
 * Where a busy or slow machine puts the target out of reach of a fair reading, the baseline's own recorded
 * row says what this build takes on the machine that recorded it: that row times this run's median ratio.
 */
function projectionOnRecordedMachine(baseline: Baseline, results: readonly SizeResult[], models: number): string[] {
  if (baseline.specs.models !== models) return [];
  const cell = recordedCell(baseline.commit, 'Scale', models.toLocaleString('en'), 4);
  const recordedSeconds = cell && /^(\d+(?:\.\d+)?) s\b/.exec(cell)?.[1];
  if (!recordedSeconds) return [];
  const recorded = Number(recordedSeconds) * 1000;
  const ratios = roundRatios(baseline, results, 'wallMs');
  const here = median(baseline.runs.map((m) => m.wallMs));
  const projected = recorded * median(ratios);
  const worst = recorded * Math.max(...ratios);
  return [
    '',
    `\`${baseline.commit}\`'s own BENCHMARKS.md recorded ${seconds(recorded)} wall for ${models.toLocaleString('en')} models; the same build took ${seconds(here)} here, so this machine ran it ${(here / recorded).toFixed(2)}× as long. ` +
      `On the machine that recorded that row, this build takes ${seconds(recorded)} × ${median(ratios).toFixed(2)} = ${seconds(projected)} (${seconds(worst)} at this run's worst round): ` +
      `${projected <= TARGET.seconds * 1000 ? 'within' : 'OVER'} the ${TARGET.seconds} s target.`,
  ];
}
