import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Synthetic request counters for the SLO evaluation bench: per SLO a few models × instances × status
 * codes, with a daily traffic cycle, minute-to-minute noise and error incidents that land at high or low
 * traffic (so a traffic-weighted and an unweighted error ratio differ). Every value is a pure function of
 * (series, step), so the backfilled history and the live exporter agree sample for sample.
 */

export const TRAFFIC_METRIC = 'bench_requests_total';
export const MODELS = ['llama-3-8b', 'qwen2-7b', 'mistral-7b'] as const;
export const INSTANCES = ['pod-0'] as const;
export const CODES = ['200', '429', '500', '503'] as const;
export const SERVER_ERROR_RE = '5..';

export interface TrafficShape {
  slos: number;
  /** Scrape interval in seconds. */
  stepSeconds: number;
  /** Unix seconds of step 0 (a multiple of the step). */
  startSeconds: number;
  /** Steps with precomputed values: history plus the live phase. */
  steps: number;
  /** The models each SLO's service serves; `MODELS` when left out. */
  models?: readonly string[];
}

export interface Series {
  labels: Record<string, string>;
  /** Counter value at each step. */
  values: Float64Array;
}

/** A uniform number in [0, 1) from integers (splitmix-style mixing; no state, so any step can be computed). */
function unit(...keys: number[]): number {
  let h = 0x9e3779b9;
  for (const k of keys) {
    h = Math.imul(h ^ (k + 0x7f4a7c15), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return (h >>> 0) / 2 ** 32;
}

export const jobOf = (slo: number): string => `svc-${String(slo + 1).padStart(2, '0')}`;

/** Requests per second of one model of one SLO at time `t` (seconds). */
function requestRate(slo: number, model: number, t: number): number {
  const base = 2 + 38 * unit(1, slo, model);
  const daily = 1 + 0.7 * Math.sin((2 * Math.PI * t) / 86_400 + 2 * Math.PI * unit(2, slo));
  const minuteNoise = 1 + 0.4 * (unit(3, slo, model, Math.floor(t / 60)) - 0.5);
  return base * daily * minuteNoise;
}

/** Share of requests that fail with a 5xx: a low base, and 10–40 minute incidents in some 3-hour slots. */
function errorShare(slo: number, t: number): number {
  const base = 0.0005 + 0.004 * unit(4, slo);
  const slot = Math.floor(t / 10_800);
  if (unit(5, slo, slot) < 0.45) {
    const start = slot * 10_800 + unit(6, slo, slot) * 9_000;
    const length = 600 + unit(7, slo, slot) * 1_800;
    if (t >= start && t < start + length) return 0.02 + 0.18 * unit(8, slo, slot);
  }
  return base;
}

/** Every counter series of the bench, values precomputed for `shape.steps` steps. */
export function trafficSeries(shape: TrafficShape): Series[] {
  const out: Series[] = [];
  const models = shape.models ?? MODELS;
  for (let slo = 0; slo < shape.slos; slo++)
    for (let m = 0; m < models.length; m++)
      for (let i = 0; i < INSTANCES.length; i++) {
        const values = CODES.map(() => new Float64Array(shape.steps));
        const counts = CODES.map((_, c) => Math.floor(1000 * unit(9, slo, m, i, c)));
        for (let k = 0; k < shape.steps; k++) {
          const t = shape.startSeconds + k * shape.stepSeconds;
          if (k > 0) {
            // Instances share the model's traffic unevenly, differently at every step.
            const weights = INSTANCES.map((_, n) => 0.8 + 0.4 * unit(10, slo, m, n, k));
            const instanceShare = weights[i]! / weights.reduce((a, b) => a + b, 0);
            const requests = requestRate(slo, m, t) * shape.stepSeconds * instanceShare;
            const errors = requests * errorShare(slo, t);
            const throttled = requests * 0.01;
            const expected = [requests - errors - throttled, throttled, errors * 0.7, errors * 0.3];
            expected.forEach((x, c) => {
              counts[c]! += Math.floor(x + unit(11, slo, m, i, c, k));
            });
          }
          counts.forEach((v, c) => {
            values[c]![k] = v;
          });
        }
        CODES.forEach((code, c) =>
          out.push({ labels: { code, instance: INSTANCES[i]!, job: jobOf(slo), model: models[m]! }, values: values[c]! }),
        );
      }
  return out;
}

function labelText(labels: Record<string, string>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}

/** A gauge family to write after the counters (recordings evaluated over the history). */
export interface GaugeFamily {
  name: string;
  series: Array<{ labels: Record<string, string>; samples: Array<[number, string]> }>;
}

/**
 * The history (steps `0..until-1`) and any recorded gauges as OpenMetrics text for `promtool tsdb
 * create-blocks-from openmetrics`.
 */
export async function writeOpenMetrics(
  file: string,
  series: readonly Series[],
  shape: TrafficShape,
  until: number,
  gauges: readonly GaugeFamily[] = [],
): Promise<number> {
  const out = createWriteStream(file);
  let buffer = '';
  let samples = 0;
  const flush = async (): Promise<void> => {
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  };
  if (series.length > 0) buffer += `# TYPE ${TRAFFIC_METRIC.replace(/_total$/, '')} counter\n`;
  for (const s of series) {
    const prefix = `${TRAFFIC_METRIC}${labelText(s.labels)} `;
    for (let k = 0; k < until; k++) {
      buffer += `${prefix}${s.values[k]} ${shape.startSeconds + k * shape.stepSeconds}\n`;
      samples++;
      await flush();
    }
  }
  for (const family of gauges) {
    buffer += `# TYPE ${family.name} gauge\n`;
    for (const s of family.series) {
      const prefix = `${family.name}${labelText(s.labels)} `;
      for (const [t, v] of s.samples) {
        buffer += `${prefix}${v} ${t}\n`;
        samples++;
      }
      await flush();
    }
  }
  out.end(`${buffer}# EOF\n`);
  await once(out, 'finish');
  return samples;
}

/** The exposition a scrape at `nowSeconds` sees: each counter at the last step that has begun. */
export function exposition(series: readonly Series[], shape: TrafficShape, nowSeconds: number): string {
  const k = Math.max(0, Math.min(shape.steps - 1, Math.floor((nowSeconds - shape.startSeconds) / shape.stepSeconds)));
  const lines = [`# TYPE ${TRAFFIC_METRIC} counter`];
  for (const s of series) lines.push(`${TRAFFIC_METRIC}${labelText(s.labels)} ${s.values[k]}`);
  return `${lines.join('\n')}\n`;
}
