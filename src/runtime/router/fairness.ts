import { ROUTER_FOLDED_USER_ID } from 'infermon/catalog/kthena-router';
import type { RouterConfig } from './config.ts';
import type { RouterMetrics } from './metrics.ts';

/** Recent usage halves every this many ms, so yesterday's heavy user is not punished today. */
const USAGE_HALF_LIFE_MS = 10_000;

interface Waiter {
  user: string;
  userLabel: string;
  enqueued: number;
  seq: number;
  resolve: (release: () => void) => void;
  reject: (err: Error) => void;
  cleanup: () => void;
}

export class QueueTimeoutError extends Error {}
export class QueueAbortedError extends Error {}

/**
 * Per-model fair queue: at most `maxConcurrency` requests of a model are in flight; the rest wait, and
 * the next one to go belongs to the user with the least recent usage (ties in arrival order). Queue size
 * and wait are exported with a `user_id` bounded to the configured users.
 */
class ModelQueue {
  private inflight = 0;
  private readonly waiting: Waiter[] = [];
  private seq = 0;

  constructor(
    private readonly model: string,
    private readonly fairness: FairnessQueues,
  ) {}

  acquire(user: string, signal: AbortSignal): Promise<() => void> {
    const userLabel = this.fairness.userLabel(user);
    if (this.inflight < this.fairness.config.maxConcurrency && this.waiting.length === 0) {
      this.inflight++;
      this.fairness.metrics?.queueWaited(this.model, userLabel, 0);
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => this.drop(waiter, new QueueAbortedError('client closed the request while queued'));
      const timer = setTimeout(
        () => this.drop(waiter, new QueueTimeoutError(`waited ${this.fairness.config.queueTimeout} ms in the fairness queue`)),
        this.fairness.config.queueTimeout,
      );
      const waiter: Waiter = {
        user,
        userLabel,
        enqueued: performance.now(),
        seq: this.seq++,
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      this.fairness.metrics?.queueDelta(this.model, userLabel, 1);
      if (signal.aborted) onAbort();
    });
  }

  private drop(waiter: Waiter, err: Error): void {
    const i = this.waiting.indexOf(waiter);
    if (i < 0) return;
    this.waiting.splice(i, 1);
    waiter.cleanup();
    this.fairness.metrics?.queueDelta(this.model, waiter.userLabel, -1);
    this.fairness.metrics?.queueWaited(this.model, waiter.userLabel, (performance.now() - waiter.enqueued) / 1000);
    waiter.reject(err);
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inflight--;
      this.next();
    };
  }

  private next(): void {
    while (this.inflight < this.fairness.config.maxConcurrency && this.waiting.length > 0) {
      let best = 0;
      let bestUsage = Number.POSITIVE_INFINITY;
      this.waiting.forEach((w, i) => {
        const usage = this.fairness.usageOf(w.user);
        if (usage < bestUsage || (usage === bestUsage && w.seq < this.waiting[best]!.seq)) {
          best = i;
          bestUsage = usage;
        }
      });
      const [waiter] = this.waiting.splice(best, 1);
      if (!waiter) return;
      waiter.cleanup();
      this.inflight++;
      this.fairness.metrics?.queueDelta(this.model, waiter.userLabel, -1);
      this.fairness.metrics?.queueWaited(this.model, waiter.userLabel, (performance.now() - waiter.enqueued) / 1000);
      waiter.resolve(this.releaser());
    }
  }
}

export class FairnessQueues {
  private readonly queues = new Map<string, ModelQueue>();
  private readonly usage = new Map<string, { value: number; at: number }>();
  private readonly namedUsers: Set<string>;

  constructor(
    readonly config: RouterConfig['fairness'],
    readonly metrics: RouterMetrics | undefined,
  ) {
    this.namedUsers = new Set(config.users);
  }

  /** The `user_id` label value: a configured user by name, everyone else folded into one value. */
  userLabel(user: string): string {
    return this.namedUsers.has(user) ? user : ROUTER_FOLDED_USER_ID;
  }

  /** Waits for a slot of the model; resolves to the function that gives the slot back. */
  acquire(model: string, user: string, signal: AbortSignal): Promise<() => void> {
    let queue = this.queues.get(model);
    if (!queue) {
      queue = new ModelQueue(model, this);
      this.queues.set(model, queue);
    }
    return queue.acquire(user, signal);
  }

  usageOf(user: string, now = performance.now()): number {
    const u = this.usage.get(user);
    if (!u) return 0;
    return u.value * 0.5 ** ((now - u.at) / USAGE_HALF_LIFE_MS);
  }

  /** Charges a user for a finished request (its tokens, at least 1). */
  charge(user: string, tokens: number, now = performance.now()): void {
    this.usage.set(user, { value: this.usageOf(user, now) + Math.max(1, tokens), at: now });
    if (this.usage.size > 100_000) this.usage.clear();
  }
}
