import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Event-loop delay of the bench process per phase. The simulators and the router share this loop, so a
 * stall (a starved CPU on a shared machine, a long GC) shows up as latency in their metrics; the report
 * prints it so a latency alert can be told apart from a bench hiccup.
 */

export interface LoopDelay {
  maxMs: number;
  p99Ms: number;
}

export interface LoopMonitor {
  setPhase(phase: string): void;
  byPhase(): Record<string, LoopDelay>;
  stop(): void;
}

export function startLoopMonitor(): LoopMonitor {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const phases: Record<string, LoopDelay> = {};
  let phase = 'start';
  const close = () => {
    const ms = (ns: number) => Math.round(ns / 1e6);
    if (histogram.count > 0) phases[phase] = { maxMs: ms(histogram.max), p99Ms: ms(histogram.percentile(99)) };
    histogram.reset();
  };
  return {
    setPhase(next) {
      close();
      phase = next;
    },
    byPhase: () => phases,
    stop() {
      close();
      histogram.disable();
    },
  };
}
