import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../support/tools.ts';
import { CODES, MODELS, exposition, trafficSeries, writeOpenMetrics, type TrafficShape } from '../../bench/slo-eval-traffic.ts';
import { benchRules, isBlockGroup } from '../../bench/slo-eval-rules.ts';
import { blockRate, eventsRate, sliErrorRatio } from '../../src/slo/names.ts';

/** The SLO evaluation bench's inputs: traffic that backfill and live scrapes agree on, and the rule sets. */
const shape: TrafficShape = { slos: 2, stepSeconds: 30, startSeconds: 1_700_000_010, steps: 24 * 120 + 1 };

describe('SLO evaluation bench traffic', () => {
  const series = trafficSeries(shape);

  it('is deterministic, with non-decreasing counters on models × codes per SLO', () => {
    expect(series).toHaveLength(shape.slos * MODELS.length * CODES.length);
    expect(trafficSeries(shape)).toEqual(series);
    for (const s of series) for (let k = 1; k < shape.steps; k++) expect(s.values[k]!).toBeGreaterThanOrEqual(s.values[k - 1]!);
  });

  it('serves live exactly the value the history holds for the step that has begun', () => {
    const k = 1234;
    const text = exposition(series, shape, shape.startSeconds + k * shape.stepSeconds + 29.9);
    const first = series[0]!;
    expect(text).toContain(`bench_requests_total{code="200",instance="pod-0",job="svc-01",model="llama-3-8b"} ${first.values[k]}\n`);
  });

  it('varies its error share enough for traffic weighting to matter (incidents against a low base)', () => {
    const errors = series.filter((s) => s.labels.job === 'svc-01' && s.labels.code!.startsWith('5'));
    const all = series.filter((s) => s.labels.job === 'svc-01');
    const shares: number[] = [];
    for (let k = 10; k < shape.steps; k += 10) {
      const inc = (list: typeof series) => list.reduce((sum, s) => sum + s.values[k]! - s.values[k - 10]!, 0);
      shares.push(inc(errors) / inc(all));
    }
    expect(Math.max(...shares)).toBeGreaterThan(5 * Math.min(...shares));
  });

  it('writes OpenMetrics that promtool turns into TSDB blocks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infermon-slo-bench-'));
    try {
      const small: TrafficShape = { ...shape, steps: 241 };
      const samples = await writeOpenMetrics(join(dir, 'h.om'), trafficSeries(small), small, small.steps, [
        { name: 'slo:sli_error:ratio_rate5m', series: [{ labels: { sloth_id: 'x' }, samples: [[small.startSeconds + 300, '0.01']] }] },
      ]);
      expect(samples).toBe(small.slos * MODELS.length * CODES.length * small.steps + 1);
      const r = runTool('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', join(dir, 'h.om'), join(dir, 'data')]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(readdirSync(join(dir, 'data')).length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SLO evaluation bench rules', () => {
  const rules = benchRules(3, '30s');

  it('generates both modes for the same SLIs under distinct IDs', () => {
    expect(rules.groups.sloth).toHaveLength(3 * 3);
    expect(rules.groups.efficient).toHaveLength(3 * 4);
    const ids = (mode: 'sloth' | 'efficient') => rules.slos[mode].map((s) => s.id);
    expect(ids('sloth').filter((id) => ids('efficient').includes(id))).toEqual([]);
    expect(rules.slos.sloth.map((s) => s.sli)).toEqual(rules.slos.efficient.map((s) => s.sli));
  });

  it('backfills what rules read back in time, each stage reading only earlier ones', () => {
    const stages = rules.backfillStages.map((stage) => [...new Set(stage.flatMap((g) => g.rules.map((r) => r.record)))].sort());
    expect(stages).toEqual([
      [sliErrorRatio('5m'), eventsRate('1h'), blockRate(eventsRate('1h'))].sort(),
      [eventsRate('2h')],
      [eventsRate('6h')],
      [eventsRate('1d')],
    ]);
    // Sloth's 5m ratios (its 30d window reads them) but not the efficient mode's, which nothing reads back.
    const ratioGroups = rules.backfillStages[0]!.filter((g) => g.rules.some((r) => r.record === sliErrorRatio('5m'))).map((g) => g.name);
    expect(ratioGroups.every((name) => name.includes('bench-sloth'))).toBe(true);
    for (const stage of rules.backfillStages)
      for (const g of stage) expect(g.interval).toBe(isBlockGroup(g.name) ? '1h' : '30s');
  });
});
