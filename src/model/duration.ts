import { z } from 'zod';

/** Prometheus duration units, largest first, as promtool formats them. */
const UNITS: ReadonlyArray<[string, number]> = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const DURATION = /^(?:\d+(?:y|w|d|h|m|s|ms))+$/;

/** Milliseconds in a Prometheus duration such as `1h30m`; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (parsedDurations.has(text)) return parsedDurations.get(text);
  const ms = parseUncached(text);
  if (parsedDurations.size >= PARSED_DURATIONS_LIMIT) parsedDurations.clear();
  parsedDurations.set(text, ms);
  return ms;
}

// A platform writes a few distinct durations (windows, `for`, intervals) and reads each thousands of times.
const PARSED_DURATIONS_LIMIT = 10_000;
const parsedDurations = new Map<string, number | undefined>();

function parseUncached(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) {
    const unit = UNITS.find(([u]) => u === m[2]);
    total += Number(m[1]) * unit![1];
  }
  return total;
}

/** The canonical Prometheus spelling of a millisecond count (`90m` → `1h30m`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of UNITS) {
    if (unit === 'y' || unit === 'w') continue; // Prometheus prints days for these, as Sloth does
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

export const durationSchema = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, {
    message: 'not a Prometheus duration (expected e.g. 30s, 5m, 1h30m, 28d)',
  });
