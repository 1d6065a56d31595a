import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { localPrometheusConfig } from '../../generators/prometheus/config.ts';
import type { Plan } from '../../src/plan/index.ts';
import { buildModel, checkModel, generateArtifacts } from '../../src/pipeline.ts';
import { OUT } from '../../src/conventions.ts';
import type { RunningVllmSim } from '../../src/runtime/sim/vllm-server.ts';
import { findBinary, freePort, startChild, waitReady, type ChildHandle } from '../e2e/processes.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { specFixture } from '../support/spec-fixture.ts';
import { artifactText } from '../../src/emit/render.ts';
import { toYaml } from '../../src/emit/serialize.ts';

/**
 * A vLLM platform for `infermon verify` to check: specs with the vLLM source and its bundled content, a
 * simulated vLLM server under traffic, and a real Prometheus scraping it with the generated rules.
 */

/** The pinned Prometheus 3 of the tools folder, else the one on PATH (Debian's). */
export function prometheusBinary(): string | undefined {
  const pinned = join(PROJECT_ROOT, '.tools', 'bin', 'prometheus');
  return existsSync(pinned) ? pinned : findBinary(['prometheus']);
}

/** 2 when the binary says it is Prometheus 2; 3 otherwise (a source build may print no version). */
export function prometheusMajor(binary: string): 2 | 3 {
  const out = execFileSync(binary, ['--version'], { encoding: 'utf8' });
  return /version 2\./.test(out) ? 2 : 3;
}

export function stackFile(major: 2 | 3): string {
  return `
import { defineStack } from 'infermon';

export const stack = defineStack({
  namespace: 'monitoring',
  workloadNamespaces: ['inference'],
  prometheusMajor: ${major},
  alertmanagerUrl: 'http://alertmanager.monitoring.svc:9093',
  runbookBaseUrl: 'https://runbooks.example.com',
});
`;
}

/** vLLM with its bundled alerts, rules, SLOs and dashboards, plus a panel on a family only sleep mode exposes. */
export const VLLM_PLATFORM = `
import { defineDashboard, promql } from 'infermon';
import { vllmEngineSleepState } from 'infermon/catalog';
import * as content from 'infermon/content';
export { vllm, prometheus } from 'infermon/catalog';

export const vllmAlerts = content.vllmAlerts();
export const vllmRules = content.vllmRecordingRules();
export const vllmSlos = content.vllmSlos();
export const runtime = content.llmRuntimeDashboard({ runtimes: ['vllm'], links: false });
export const slos = content.sloDashboard({ links: false });
export const sleep = defineDashboard({
  id: 'vllm-sleep',
  title: 'vLLM sleep',
  description: 'Engines asleep.',
  rows: [{ title: 'Sleep', panels: [{ title: 'Asleep', description: 'Engines by sleep state.', unit: 'short', queries: [{ expr: promql\`sum by (sleep_state) (\${vllmEngineSleepState})\` }] }] }],
});
`;

/**
 * The same platform, broken twice: a canary deployment scraped on a port nothing listens on, and a site
 * catalog that declares speculative decoding always on, with a panel on a family the server never emits.
 */
export const BROKEN_VLLM_PLATFORM = `
import { defineDashboard, defineSource, deploySource, promql } from 'infermon';
import { vllm, vllmSpecDecodeNumAcceptedTokens } from 'infermon/catalog';
import * as content from 'infermon/content';
export { prometheus } from 'infermon/catalog';

const accepted = { ...vllmSpecDecodeNumAcceptedTokens, conditional: undefined };
export const vllmFleet = defineSource({ ...vllm.spec, metrics: vllm.spec.metrics.map((m) => (m.name === accepted.name ? accepted : m)) });
export const vllmCanary = deploySource(vllmFleet, { name: 'vllm-canary' });

export const vllmAlerts = content.vllmAlerts();
export const runtime = content.llmRuntimeDashboard({ runtimes: ['vllm'], links: false });
export const speculation = defineDashboard({
  id: 'vllm-speculation',
  title: 'vLLM speculative decoding',
  description: 'Draft tokens accepted.',
  rows: [{ title: 'Drafts', panels: [{ title: 'Accepted draft tokens', description: 'Accepted per second.', unit: 'short', queries: [{ expr: promql\`sum(rate(\${accepted}[$__rate_interval]))\` }] }] }],
});
`;

export async function fixtureModel(files: Record<string, string>): Promise<{ model: Plan; dir: string; errors: string[] }> {
  const dir = specFixture(files, { withCatalog: false });
  const { model, diagnostics } = await buildModel(dir, dir);
  if (!model) throw new Error(diagnostics.items.map((d) => `${d.code} ${d.path}: ${d.message}`).join('\n'));
  const errors = checkModel(model, diagnostics).errors.map((d) => `${d.code} ${d.path}: ${d.message}`);
  return { model, dir, errors };
}

/** The generated Prometheus rule files of the model, written under `dir`. */
export function writeRuleFiles(model: Plan, dir: string): string[] {
  const prefix = `${OUT.prometheusRules}/`;
  mkdirSync(dir, { recursive: true });
  return generateArtifacts(model)
    .filter((a) => a.path.startsWith(prefix) && a.path.endsWith('.yml'))
    .map((a) => {
      const file = join(dir, a.path.slice(prefix.length));
      writeFileSync(file, artifactText(a));
      return file;
    });
}

export interface RunningPrometheus {
  url: string;
  child: ChildHandle;
}

/** A Prometheus scraping `targets` (host:port per source name) every second with the model's rules. */
export async function startPrometheus(binary: string, model: Plan, targets: Record<string, string[]>, ruleFiles: string[], dir: string): Promise<RunningPrometheus> {
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  // Alerts go nowhere: nothing listens on this port, which Prometheus only logs.
  const alertmanager = `127.0.0.1:${await freePort()}`;
  writeFileSync(config, toYaml(localPrometheusConfig(model, { targets, ruleFiles, alertmanager, scrapeInterval: '1s', evaluationInterval: '1s' })));
  const child = startChild('prometheus', binary, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], join(dir, 'prometheus.log'));
  const url = `http://127.0.0.1:${port}`;
  await waitReady(child, `${url}/-/ready`);
  return { url, child };
}

/** Chat requests, some streamed, until `signal` aborts: every vLLM family the simulator has gets series. */
export async function keepTraffic(sim: RunningVllmSim, model: string, signal: AbortSignal): Promise<void> {
  let i = 0;
  while (!signal.aborted) {
    const stream = i++ % 2 === 0;
    const res = await fetch(`${sim.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: `question ${i}` }], max_tokens: 4, stream }),
    }).catch(() => undefined);
    await res?.text().catch(() => undefined);
    await sleep(50);
  }
}
