import { describe, expect, it } from 'vitest';
import { efficientWindows } from '../../src/slo/efficient-windows.ts';

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
