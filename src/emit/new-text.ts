import { createHash, type Hash } from 'node:crypto';

/** Where a file's text goes as it is serialised, chunk by chunk. */
export interface ChunkSink {
  write(chunk: string): void;
  /** Forget everything written so far: the file is serialised again from its start. */
  restart(): void;
}

/** A staged copy of a file being written. */
export interface StagedFile {
  write(bytes: Buffer): void;
  close(): void;
  /** Close and delete it: the text turned out the same as the file already there. */
  discard(): void;
}

/**
 * A file's new text as it is serialised: hashed for the manifest, compared with the bytes already at its
 * path, and copied to a staged file (when `stage` is given) from the first difference on, so no chunk is
 * kept once it has been handled.
 */
export class NewText implements ChunkSink {
  private hash: Hash = createHash('sha256');
  /** Bytes of the new text so far. */
  private length = 0;
  private differs: boolean;
  private staged: StagedFile | undefined;

  constructor(
    private readonly existing: Buffer | undefined,
    private readonly stage?: () => StagedFile,
  ) {
    this.differs = existing === undefined;
  }

  write(chunk: string): void {
    const bytes = Buffer.from(chunk, 'utf8');
    this.hash.update(bytes);
    if (!this.differs) {
      const old = this.existing!;
      if (old.subarray(this.length, this.length + bytes.length).equals(bytes)) {
        this.length += bytes.length;
        return;
      }
      this.differs = true;
      this.copy(old.subarray(0, this.length));
    }
    this.copy(bytes);
    this.length += bytes.length;
  }

  restart(): void {
    this.hash = createHash('sha256');
    this.length = 0;
    this.differs = this.existing === undefined;
    this.staged?.discard();
    this.staged = undefined;
  }

  /** The hash of the new text, and whether it equals the bytes already there. */
  finish(): { hash: string; same: boolean } {
    if (!this.differs && this.length !== this.existing!.length) {
      this.differs = true;
      this.copy(this.existing!.subarray(0, this.length));
    }
    // An empty new file is staged too.
    if (this.differs && this.stage) this.staged ??= this.stage();
    this.staged?.close();
    return { hash: this.hash.digest('hex'), same: !this.differs };
  }

  private copy(bytes: Buffer): void {
    if (!this.stage) return;
    this.staged ??= this.stage();
    if (bytes.length > 0) this.staged.write(bytes);
  }
}
