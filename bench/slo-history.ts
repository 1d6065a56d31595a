import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import type { OutputRuleGroup } from '../generators/prometheus-rules/envelopes.ts';
import { toYaml } from '../src/emit/serialize.ts';
import { freePort, startChild, waitReady, type ChildHandle } from '../test/e2e/processes.ts';
import { evaluateOverHistory } from './slo-eval-backfill.ts';
import { isBlockGroup } from './slo-eval-rules.ts';
import { ruleGroups, unixSeconds, type GroupState } from './prometheus-api.ts';
import { exposition, writeOpenMetrics, type GaugeFamily, type Series, type TrafficShape } from './slo-eval-traffic.ts';

/**
 * A Prometheus that evaluates SLO rules over days of backfilled history, as an operator backfilling them on
 * existing data would have it. Prometheus does not evaluate rules over history, so the recordings the long
 * windows read are evaluated over it first by a scratch Prometheus, stage by stage (each stage reads the
 * history and the stages before it), and imported with the history into one TSDB. The measuring Prometheus
 * then takes over where the history ends: it scrapes the same traffic model live and evaluates the rules.
 */

export const NEVER = '0001-01-01T00:00:00Z';
/** Hourly blocks are evaluated over the history off the sample grid, as a live hourly group would be. */
const BLOCK_PHASE = 5;
/**
 * A group's `lastEvaluation` is when its work began, a few milliseconds after the scheduled timestamp its
 * samples carry: phases are taken this much earlier, so a recording evaluated over the history never sits
 * after the live timestamp an offset looks for.
 */
const PHASE_MARGIN_SECONDS = 0.5;

/** Named phases of a bench with their durations, logged as they end. */
export class PhaseTimer {
  readonly phases: Array<[string, number]> = [];
  constructor(private readonly bench: string) {}

  async timed<T>(phase: string, step: () => Promise<T>): Promise<T> {
    const start = performance.now();
    const result = await step();
    const ms = performance.now() - start;
    this.phases.push([phase, ms]);
    process.stderr.write(`  ${this.bench}: ${phase} ${(ms / 1000).toFixed(1)} s\n`);
    return result;
  }

  total(): number {
    return this.phases.reduce((sum, [, ms]) => sum + ms, 0);
  }
}

/** A child process run to completion without blocking the event loop (the exporter keeps answering scrapes). */
async function mustRun(binary: string, args: readonly string[]): Promise<void> {
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
  if (code !== 0) throw new Error(`${basename(binary)} ${args.slice(0, 3).join(' ')} failed (${code}):\n${output.slice(-2000)}`);
}

function startExporter(series: readonly Series[], shape: TrafficShape): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(exposition(series, shape, Date.now() / 1000));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

export interface HistorySetup {
  prometheusBinary: string;
  promtool: string;
  /** Working directory: configs, logs, OpenMetrics files and TSDBs go under it. */
  work: string;
  timer: PhaseTimer;
  series: readonly Series[];
  shape: TrafficShape;
  /** Steps of `shape` that are history; the exporter serves the rest live. */
  historySteps: number;
  /** Unix seconds where the history ends and the measuring Prometheus takes over. */
  handover: number;
  evalSeconds: number;
  /** Rule files the measuring Prometheus loads. */
  ruleFiles: readonly string[];
  /** The recording groups evaluated over the history, stage by stage. */
  stages: ReadonlyArray<readonly OutputRuleGroup[]>;
}

export interface PrometheusOverHistory {
  url: string;
  /** Samples of the raw history. */
  samples: number;
  /** Seconds between the end of the history and the measuring Prometheus' start (0: no gap). */
  seamSeconds: number;
  stop(): Promise<void>;
}

/** Starts the measuring Prometheus on the history and its recordings, once the history has ended. */
export async function prometheusOverHistory(setup: HistorySetup): Promise<PrometheusOverHistory> {
  const { work, timer, series, shape, evalSeconds } = setup;
  const exporter = await startExporter(series, shape);
  let prometheus: ChildHandle | undefined;
  let starts = 0;
  const startPrometheus = async (data: string, role: { rules: boolean; scrape: boolean }) => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const config = join(work, `prometheus-${++starts}.yml`);
    writeFileSync(
      config,
      toYaml({
        global: { scrape_interval: `${shape.stepSeconds}s`, evaluation_interval: `${evalSeconds}s` },
        ...(role.scrape ? { scrape_configs: [{ job_name: 'bench-traffic', honor_labels: true, static_configs: [{ targets: [`127.0.0.1:${portOf(exporter)}`] }] }] } : {}),
        ...(role.rules ? { rule_files: [...setup.ruleFiles] } : {}),
      }),
    );
    const child = startChild('prometheus', setup.prometheusBinary, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${data}`,
      '--storage.tsdb.retention.time=90d',
      // No compaction while measuring: the block layout stays what it was when the timing began.
      '--storage.tsdb.max-block-duration=2h',
      `--web.listen-address=${url.slice('http://'.length)}`,
    ], join(work, `prometheus-${starts}.log`));
    await waitReady(child, `${url}/-/ready`, 120_000);
    return { child, url };
  };

  /** Seconds into the evaluation interval at which each group evaluates, read from a Prometheus with no data. */
  const groupPhases = async (): Promise<Map<string, number>> => {
    const { child, url } = await startPrometheus(join(work, 'probe'), { rules: true, scrape: false });
    try {
      const deadline = Date.now() + 3 * evalSeconds * 1000;
      for (;;) {
        const groups = (await ruleGroups(url)).filter((g) => g.interval === evalSeconds);
        if (groups.every((g) => g.lastEvaluation !== NEVER)) {
          const phase = (g: GroupState): number => (((unixSeconds(g.lastEvaluation) - PHASE_MARGIN_SECONDS) % evalSeconds) + evalSeconds) % evalSeconds;
          return new Map(groups.map((g) => [g.name, phase(g)]));
        }
        if (Date.now() > deadline) throw new Error(`rule groups had not all evaluated after ${3 * evalSeconds} s`);
        await sleep(1000);
      }
    } finally {
      await child.stop();
    }
  };
  const importBlocks = async (file: string, data: string): Promise<void> => {
    await mustRun(setup.promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, data]);
    rmSync(file);
  };

  try {
    // Where each group evaluates within its interval (Prometheus derives it from the group's name and file):
    // recordings evaluated over the history land on those timestamps, so the live rules' offsets meet them
    // exactly. Read while the history is written.
    const probe = groupPhases();
    const scratch = join(work, 'scratch');
    const samples = await timer.timed('history as OpenMetrics', () => writeOpenMetrics(join(work, 'history.om'), series, shape, setup.historySteps));
    await timer.timed('promtool tsdb create-blocks-from openmetrics (history)', () => importBlocks(join(work, 'history.om'), scratch));
    const phaseOf = await probe;
    let url = '';
    const start = async (data: string, role: { rules: boolean; scrape: boolean }): Promise<void> => {
      ({ child: prometheus, url } = await startPrometheus(data, role));
    };
    await timer.timed('scratch Prometheus start', () => start(scratch, { rules: false, scrape: false }));
    const recorded: GaugeFamily[] = [];
    for (const [i, stage] of setup.stages.entries()) {
      const names = [...new Set(stage.flatMap((g) => g.rules.map((r) => r.record)))].join(', ');
      const families = await timer.timed(`recordings over the history, stage ${i + 1} (${names})`, () =>
        evaluateOverHistory(url, stage, shape.startSeconds, setup.handover, (g) => (isBlockGroup(g) ? BLOCK_PHASE : phaseOf.get(g))),
      );
      recorded.push(...families);
      if (i === setup.stages.length - 1) break;
      await timer.timed(`promtool import of stage ${i + 1}, restart`, async () => {
        await writeOpenMetrics(join(work, `stage-${i + 1}.om`), [], shape, 0, families);
        await prometheus!.stop();
        await importBlocks(join(work, `stage-${i + 1}.om`), scratch);
        await start(scratch, { rules: false, scrape: false });
      });
    }
    await prometheus?.stop();

    // History and every recording in one import: the measuring TSDB has no overlapping blocks.
    const data = join(work, 'data');
    await timer.timed('history and recordings as OpenMetrics, promtool import', async () => {
      await writeOpenMetrics(join(work, 'all.om'), series, shape, setup.historySteps, recorded);
      await importBlocks(join(work, 'all.om'), data);
    });
    rmSync(scratch, { recursive: true, force: true });
    await timer.timed('measuring Prometheus start', () => start(data, { rules: true, scrape: true }));
    const lateBy = Date.now() / 1000 - setup.handover;
    if (lateBy < 0) await timer.timed('waiting for the end of the history', () => sleep(-lateBy * 1000));
    const measuring = prometheus!;
    return {
      url,
      samples,
      seamSeconds: Math.max(0, lateBy),
      stop: async () => {
        await measuring.stop();
        await new Promise<void>((resolve) => exporter.close(() => resolve()));
      },
    };
  } catch (error) {
    await prometheus?.stop();
    await new Promise<void>((resolve) => exporter.close(() => resolve()));
    throw error;
  }
}
