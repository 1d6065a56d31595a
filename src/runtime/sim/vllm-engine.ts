import { createHash } from 'node:crypto';

/**
 * The simulated engine's scheduler state: a running batch of at most `maxNumSeqs` requests whose tokens
 * occupy KV blocks, a waiting queue, and a prefix cache of recently seen prompt blocks.
 */
export interface EngineOptions {
  maxNumSeqs: number;
  blockSize: number;
  numGpuBlocks: number;
}

interface Seq {
  blocks: number;
}

/** Prompt-block hashes, chained so a hash stands for the whole prefix up to its block. */
export function promptBlocks(prompt: string, charsPerBlock: number): string[] {
  const out: string[] = [];
  let previous = '';
  for (let i = 0; i + charsPerBlock <= prompt.length && out.length < 512; i += charsPerBlock) {
    previous = createHash('sha1').update(previous).update(prompt.slice(i, i + charsPerBlock)).digest('base64');
    out.push(previous);
  }
  return out;
}

export class SimEngine {
  private readonly running = new Set<Seq>();
  private readonly waiters: (() => void)[] = [];
  private usedBlocks = 0;
  private readonly cache = new Map<string, true>();
  private readonly cacheCapacity: number;

  constructor(readonly options: EngineOptions) {
    this.cacheCapacity = Math.max(16, Math.floor(options.numGpuBlocks / 2));
  }

  get numRunning(): number {
    return this.running.size;
  }

  get numWaiting(): number {
    return this.waiters.length;
  }

  get kvUsage(): number {
    return Math.min(1, this.usedBlocks / this.options.numGpuBlocks);
  }

  /** Number of leading prompt blocks already cached; the prompt's blocks are cached afterwards. */
  lookupPrefix(blocks: readonly string[]): number {
    let hits = 0;
    for (const b of blocks) {
      if (!this.cache.has(b)) break;
      hits++;
    }
    for (const b of blocks) {
      this.cache.delete(b);
      this.cache.set(b, true);
    }
    while (this.cache.size > this.cacheCapacity) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return hits;
  }

  private fits(): boolean {
    return this.running.size < this.options.maxNumSeqs && this.usedBlocks < this.options.numGpuBlocks;
  }

  /** Waits for a place in the running batch; resolves to the sequence handle. */
  async admit(signal: AbortSignal): Promise<Seq> {
    while (!this.fits()) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const i = this.waiters.indexOf(wake);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new Error('aborted while waiting'));
        };
        const wake = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        this.waiters.push(wake);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    const seq: Seq = { blocks: 0 };
    this.running.add(seq);
    return seq;
  }

  /** Grows a sequence to `tokens` tokens of KV. */
  grow(seq: Seq, tokens: number): void {
    const blocks = Math.ceil(tokens / this.options.blockSize);
    this.usedBlocks += blocks - seq.blocks;
    seq.blocks = blocks;
  }

  release(seq: Seq): void {
    if (!this.running.delete(seq)) return;
    this.usedBlocks -= seq.blocks;
    seq.blocks = 0;
    this.waiters.shift()?.();
  }
}
