import { request, type Dispatcher } from 'undici';
import { vllmKvCacheUsage, vllmNumRequestsRunning, vllmNumRequestsWaiting } from 'infermon/catalog/vllm';
import { parseExposition, sumSamples } from '../telemetry/exposition.ts';
import type { PodState } from './topology.ts';

/**
 * Reads every pod's own /metrics and /v1/models on a timer and keeps what the scheduler decides on:
 * KV-cache usage, the engine's running and waiting requests, and the models (LoRA adapters included) the
 * pod serves. A pod that cannot be read keeps its last values and records why.
 */
export class PodMetricsPoller {
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly pods: readonly PodState[],
    private readonly intervalMs: number,
    private readonly dispatcher: (pod: PodState) => Dispatcher,
    private readonly timeoutMs = 1000,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.pollOnce(), this.intervalMs);
    this.timer.unref();
    void this.pollOnce();
  }

  /** One round over all pods; resolves when every read has finished or failed. */
  pollOnce(): Promise<void> {
    this.inflight ??= Promise.all(this.pods.flatMap((p) => [this.read(p), this.readModels(p)])).then(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async read(pod: PodState): Promise<void> {
    if (pod.server.config.engine !== 'vllm') return;
    try {
      const res = await request(`http://${pod.config.address}/metrics`, {
        dispatcher: this.dispatcher(pod),
        signal: this.abort.signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      const families = parseExposition(text);
      const has = (name: string) => families.get(name)?.samples.length;
      if (has(vllmKvCacheUsage.name)) pod.kvCacheUsage = sumSamples(families, vllmKvCacheUsage.name);
      if (has(vllmNumRequestsWaiting.name)) pod.waiting = sumSamples(families, vllmNumRequestsWaiting.name);
      if (has(vllmNumRequestsRunning.name)) pod.running = sumSamples(families, vllmNumRequestsRunning.name);
      pod.lastScrape = new Date();
      pod.lastScrapeError = undefined;
    } catch (err) {
      pod.lastScrapeError = (err as Error).message;
    }
  }

  private async readModels(pod: PodState): Promise<void> {
    try {
      const res = await request(`http://${pod.config.address}/v1/models`, {
        dispatcher: this.dispatcher(pod),
        // A server started with an API key wants it for its model list too.
        headers: pod.server.config.headers,
        signal: this.abort.signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const body = (await res.body.json().catch(() => undefined)) as { data?: unknown } | undefined;
      if (res.statusCode !== 200 || !Array.isArray(body?.data)) return;
      const ids = body.data.map((m) => (m as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string');
      pod.servedModels = new Set(ids);
    } catch {
      // Keeps the last list; the metrics read records the pod's reachability.
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.inflight?.catch(() => undefined);
  }
}
