import { parseDuration } from '../model/duration.ts';
import type { AlertWindows, Slo } from '../model/slo.ts';

/**
 * Multi-window multi-burn-rate tables. 30d and 28d are Sloth's built-in catalog (SRE workbook table 5-8 plus
 * the 2h/1d ticket pair); 7d is Sloth's published 7-day example. Windows stay fixed while the factors scale
 * with the period.
 */
const WORKBOOK: AlertWindows = {
  page: {
    quick: { errorBudgetPercent: 2, shortWindow: '5m', longWindow: '1h' },
    slow: { errorBudgetPercent: 5, shortWindow: '30m', longWindow: '6h' },
  },
  ticket: {
    quick: { errorBudgetPercent: 10, shortWindow: '2h', longWindow: '1d' },
    slow: { errorBudgetPercent: 10, shortWindow: '6h', longWindow: '3d' },
  },
};

const SEVEN_DAYS: AlertWindows = {
  page: {
    quick: { errorBudgetPercent: 8, shortWindow: '5m', longWindow: '1h' },
    slow: { errorBudgetPercent: 12.5, shortWindow: '30m', longWindow: '6h' },
  },
  ticket: {
    quick: { errorBudgetPercent: 20, shortWindow: '2h', longWindow: '1d' },
    slow: { errorBudgetPercent: 42, shortWindow: '6h', longWindow: '3d' },
  },
};

const DAY = 24 * 3600_000;

/** Built-in tables by period in milliseconds. */
export const BUILTIN_WINDOWS: ReadonlyMap<number, AlertWindows> = new Map([
  [30 * DAY, WORKBOOK],
  [28 * DAY, WORKBOOK],
  [7 * DAY, SEVEN_DAYS],
]);

/** Periods Sloth v0.16 knows without an `--slo-period-windows-path` directory. */
export const SLOTH_BUILTIN_PERIODS: readonly number[] = [30 * DAY, 28 * DAY];

export function periodMs(slo: Pick<Slo, 'period'>): number {
  return parseDuration(slo.period)!;
}

/** The table in force for an SLO: its own, else the built-in one for its period. */
export function alertWindowsOf(slo: Pick<Slo, 'period' | 'windows'>): AlertWindows | undefined {
  return slo.windows ?? BUILTIN_WINDOWS.get(periodMs(slo));
}

export interface BurnWindow {
  short: string;
  long: string;
  /** Burn-rate factor, computed in Sloth's operation order so float noise matches. */
  factor: number;
}

export interface BurnTable {
  pageQuick: BurnWindow;
  pageSlow: BurnWindow;
  ticketQuick: BurnWindow;
  ticketSlow: BurnWindow;
}

const hours = (ms: number): number => ms / 3600_000;

function burnWindow(w: AlertWindows['page']['quick'], period: number): BurnWindow {
  const long = parseDuration(w.longWindow)!;
  const short = parseDuration(w.shortWindow)!;
  return {
    short: promDuration(short),
    long: promDuration(long),
    factor: (w.errorBudgetPercent * hours(period)) / 100 / hours(long),
  };
}

export function burnTable(windows: AlertWindows, period: number): BurnTable {
  return {
    pageQuick: burnWindow(windows.page.quick, period),
    pageSlow: burnWindow(windows.page.slow, period),
    ticketQuick: burnWindow(windows.ticket.quick, period),
    ticketSlow: burnWindow(windows.ticket.slow, period),
  };
}

/** Every SLI window Sloth records: the distinct short and long windows ascending, then the period. */
export function sliWindows(windows: AlertWindows, period: number): string[] {
  const all = [windows.page.quick, windows.page.slow, windows.ticket.quick, windows.ticket.slow].flatMap((w) => [
    parseDuration(w.shortWindow)!,
    parseDuration(w.longWindow)!,
  ]);
  const distinct = [...new Set(all)].sort((a, b) => a - b);
  return [...distinct.map(promDuration), promDuration(period)];
}

/**
 * Prometheus `model.Duration` spelling: years and weeks only when exact, so 28d prints as `4w`, 7d as
 * `1w` and 30d stays `30d`.
 */
export function promDuration(ms: number): string {
  let text = DURATION_TEXT.get(ms);
  if (text === undefined) {
    text = promDurationUncached(ms);
    if (DURATION_TEXT.size < DURATION_TEXT_LIMIT) DURATION_TEXT.set(ms, text);
  }
  return text;
}

// SLOs share a handful of windows and periods, and every rule and test of every SLO spells them.
const DURATION_TEXT_LIMIT = 1024;
const DURATION_TEXT = new Map<number, string>();

function promDurationUncached(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  const unit = (name: string, size: number, exact: boolean): void => {
    if (exact && rest % size !== 0) return;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${name}`;
      rest -= n * size;
    }
  };
  unit('y', 365 * DAY, true);
  unit('w', 7 * DAY, true);
  unit('d', DAY, false);
  unit('h', 3600_000, false);
  unit('m', 60_000, false);
  unit('s', 1000, false);
  unit('ms', 1, false);
  return out;
}

/** Efficient mode: the block the period window is summed from; its rule group runs once per block. */
export const PERIOD_BLOCK = '1h';
