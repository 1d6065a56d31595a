import type { RouterLimitType } from 'infermon/catalog/kthena-router';
import type { RateLimitConfig } from './config.ts';

const UNIT_MS = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** A token bucket that refills continuously up to its capacity and may go into debt. */
class Bucket {
  private level: number;
  private updated: number;

  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
    now: number,
  ) {
    this.level = capacity;
    this.updated = now;
  }

  available(now: number): number {
    this.level = Math.min(this.capacity, this.level + (now - this.updated) * this.perMs);
    this.updated = now;
    return this.level;
  }

  take(amount: number, now: number): void {
    this.available(now);
    this.level -= amount;
  }
}

/**
 * Per-route limits on requests, prompt tokens and generated tokens. Prompt tokens and requests are taken
 * before dispatch; generated tokens are only known afterwards, so a request is let through while the
 * output bucket is not empty and its tokens are taken when it finishes.
 */
export class RateLimiter {
  private readonly requests: Bucket | undefined;
  private readonly input: Bucket | undefined;
  private readonly output: Bucket | undefined;

  constructor(config: RateLimitConfig, now = Date.now()) {
    const unit = UNIT_MS[config.unit];
    const bucket = (perUnit: number | undefined) => (perUnit ? new Bucket(perUnit, perUnit / unit, now) : undefined);
    this.requests = bucket(config.requestsPerUnit);
    this.input = bucket(config.inputTokensPerUnit);
    this.output = bucket(config.outputTokensPerUnit);
  }

  /** The limit that rejects this request, or undefined after taking its share. */
  admit(inputTokens: number, now = Date.now()): RouterLimitType | undefined {
    if (this.requests && this.requests.available(now) < 1) return 'requests';
    if (this.input && this.input.available(now) < inputTokens) return 'input_tokens';
    if (this.output && this.output.available(now) <= 0) return 'output_tokens';
    this.requests?.take(1, now);
    this.input?.take(inputTokens, now);
    return undefined;
  }

  recordOutput(outputTokens: number, now = Date.now()): void {
    this.output?.take(outputTokens, now);
  }
}
