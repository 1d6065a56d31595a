import { describe, expect, it } from 'vitest';
import { efficientWindows } from '../../src/slo/efficient-windows.ts';
import { sloServiceSpecSchema } from '../../src/model/slo.ts';
import { slothSlos } from '../../src/slo/sloth-slo.ts';
import { efficientRuleGroups } from '../../generators/slo/efficient-rules.ts';

const summary = (windows: string[], floor?: string) =>
  efficientWindows(windows, floor).map((p) => `${p.window}:${p.source.kind === 'raw' ? 'raw' : `${p.source.count}x${p.source.base}`}${p.recordsEventRates ? ':recorded' : ''}`);

describe('efficient window plan', () => {
  it('reads the raw series up to an hour and tiles the workbook windows from the largest divisor', () => {
    expect(summary(['5m', '30m', '1h', '2h', '6h', '1d', '3d'])).toEqual([
      '5m:raw',
      '30m:raw',
      '1h:raw:recorded',
      '2h:2x1h:recorded',
      '6h:3x2h:recorded',
      '1d:4x6h:recorded',
      '3d:3x1d',
    ]);
  });

  it('records the traffic-floor window even when nothing tiles from it', () => {
    expect(summary(['5m', '30m', '1h'], '30m')).toEqual(['5m:raw', '30m:raw:recorded', '1h:raw']);
  });

  it('falls back to the raw series when no shorter window divides a window in few enough tiles', () => {
    expect(summary(['5m', '1h', '90m', '7h', '2d'])).toEqual(['5m:raw', '1h:raw', '90m:raw', '7h:raw', '2d:raw']);
    expect(summary(['1h', '4h', '3d'])).toEqual(['1h:raw:recorded', '4h:4x1h', '3d:raw']);
    expect(summary(['1h', '4h', '12h'])).toEqual(['1h:raw:recorded', '4h:4x1h:recorded', '12h:3x4h']);
  });
});

describe('efficient rules', () => {
  const rules = (options: Record<string, unknown>) => {
    const service = sloServiceSpecSchema.parse({
      service: 'svc',
      options: { mode: 'efficient', ...options },
      slos: [{ name: 'availability', objective: 99.9, sli: { kind: 'ratio', errors: 'sum(rate(e[{{.window}}]))', total: 'sum(rate(t[{{.window}}]))' }, alerting: { name: 'Burn' } }],
    });
    return efficientRuleGroups(slothSlos(service, 2)[0]!).flatMap((g) => g.rules);
  };
  const expr = (all: ReturnType<typeof rules>, record: string) => all.find((r) => r.record === record)!.expr;

  it('reads tile bases and blocks one scrape interval further back, and keeps other short windows as Sloth writes them', () => {
    const padded = rules({ scrapeInterval: '15s' });
    expect(expr(padded, 'slo:sli_events:rate1h')).toContain('sum(rate(e[1h15s]))');
    expect(expr(padded, 'slo:sli_events:rate1h_block')).toContain('sum(rate(t[1h15s]))');
    expect(expr(padded, 'slo:sli_error:ratio_rate30m')).toContain('sum(rate(e[30m]))');
    expect(expr(rules({}), 'slo:sli_events:rate1h')).toContain('sum(rate(e[1h]))');
  });

  it('adds up tiles at whole multiples of the base, counting a tile before the recordings as zero', () => {
    const six = expr(rules({}), 'slo:sli_events:rate6h');
    const series = 'slo:sli_events:rate2h{sloth_id="svc-availability"}';
    expect(six).toContain(`${series}\n+ (${series} offset 2h or ${series} * 0)\n+ (${series} offset 4h or ${series} * 0)\n) / 3`);
    expect(expr(rules({}), 'slo:sli_error:ratio_rate3d')).toContain('slo:sli_events:rate3d{slo_events="error", sloth_id="svc-availability"}');
  });
});
