import { createHash } from 'node:crypto';

/**
 * Which prompt prefixes were recently sent to which pod. A prompt is cut into fixed-size character
 * blocks; each block's hash chains the previous one, so a hash stands for the whole prefix up to it.
 * Capacity-bounded, least recently used first out.
 */
export class PrefixStore {
  private readonly entries = new Map<string, Set<string>>();

  constructor(
    private readonly blockChars = 64,
    private readonly capacity = 50_000,
  ) {}

  /** Chained hashes of the prompt's whole blocks (at most 64 blocks, the head matters most). */
  blocks(prompt: string): string[] {
    const hashes: string[] = [];
    let previous = '';
    const count = Math.min(64, Math.floor(prompt.length / this.blockChars));
    for (let i = 0; i < count; i++) {
      previous = createHash('sha1')
        .update(previous)
        .update(prompt.slice(i * this.blockChars, (i + 1) * this.blockChars))
        .digest('base64');
      hashes.push(previous);
    }
    return hashes;
  }

  /** The fraction of leading blocks the pod already holds. */
  matchRatio(blocks: readonly string[], pod: string): number {
    if (blocks.length === 0) return 0;
    let matched = 0;
    for (const b of blocks) {
      if (!this.entries.get(b)?.has(pod)) break;
      matched++;
    }
    return matched / blocks.length;
  }

  record(blocks: readonly string[], pod: string): void {
    for (const b of blocks) {
      const pods = this.entries.get(b) ?? new Set<string>();
      this.entries.delete(b);
      pods.add(pod);
      this.entries.set(b, pods);
    }
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
