import { parseDuration } from '../model/duration.ts';
import type { SlothSlo } from './sloth-slo.ts';
import { burnTable, promDuration, sliWindows } from './windows.ts';

/**
 * How the `efficient` mode builds each alert window. Windows up to an hour read the raw series. A longer
 * window adds up tiles: a shorter window's recorded event rates now and at whole multiples of that window
 * ago (2h = 1h + 1h an hour ago; 6h = three 2h; 1d = four 6h; 3d = three 1d). Tiles meet exactly at the
 * evaluation timestamps, so the sum counts the events of its span, no more and no less, while no rule
 * reads raw samples over more than an hour.
 */

/** Windows up to this long read the raw series. */
export const RAW_WINDOW_LIMIT = '1h';
/** Most tiles one window adds up; each tile costs a lookup of two recorded series. */
export const MAX_TILES = 6;

export type WindowSource = { kind: 'raw' } | { kind: 'tiles'; base: string; count: number };

export interface EfficientWindow {
  window: string;
  source: WindowSource;
  /** Whether the window's error and total event rates are recorded (a longer window's tiles, or the traffic floor). */
  recordsEventRates: boolean;
}

/**
 * The plan for the alert windows (ascending, the period excluded). `floorWindow`, when given, has its
 * event rates recorded for the minimum-traffic condition.
 */
export function efficientWindows(windows: readonly string[], floorWindow?: string): EfficientWindow[] {
  const limit = parseDuration(RAW_WINDOW_LIMIT)!;
  const plans: Array<EfficientWindow & { ms: number }> = [];
  for (const window of windows) {
    const ms = parseDuration(window)!;
    const base = ms > limit ? [...plans].reverse().find((p) => ms % p.ms === 0 && ms / p.ms <= MAX_TILES) : undefined;
    if (base) base.recordsEventRates = true;
    plans.push({
      window,
      ms,
      source: base ? { kind: 'tiles', base: base.window, count: ms / base.ms } : { kind: 'raw' },
      recordsEventRates: window === floorWindow,
    });
  }
  return plans.map(({ ms: _ms, ...plan }) => plan);
}

/** Whether a window is read from recorded event counts (tiles, or raw counts kept for tiles or the floor). */
export const countsEvents = (plan: EfficientWindow): boolean => plan.source.kind === 'tiles' || plan.recordsEventRates;

type PlannedSlo = Pick<SlothSlo, 'windows' | 'period' | 'options'>;

/** The window whose total event rate a minimum event rate is checked on: the page's long window. */
export function floorWindowOf(slo: PlannedSlo): string | undefined {
  return slo.options.minEventRate === undefined ? undefined : burnTable(slo.windows, slo.period).pageQuick.long;
}

/** The plan of one SLO: its alert windows, with the floor window's event rates kept. */
export function efficientPlan(slo: PlannedSlo): EfficientWindow[] {
  return efficientWindows(sliWindows(slo.windows, slo.period).slice(0, -1), floorWindowOf(slo));
}

/**
 * The range a window's recorded counts read: one scrape interval longer when the SLO states it, so the
 * range starts on the sample the window starts from and `rate()` over it is the exact event count between
 * the two samples over the window's length.
 */
export function countRange(slo: PlannedSlo, window: string): string {
  const pad = slo.options.scrapeInterval === undefined ? 0 : parseDuration(slo.options.scrapeInterval)!;
  return promDuration(parseDuration(window)! + pad);
}
