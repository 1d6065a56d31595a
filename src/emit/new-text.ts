import { createHash, type Hash } from 'node:crypto';

/** Where a file's text goes as it is serialised, chunk by chunk. */
export interface ChunkSink {
  write(chunk: string): void;
  /** Forget everything written so far: the file is serialised again from its start. */
  restart(): void;
}

/** A staged copy of a file being written. */
export interface StagedFile {
  /** Writes `bytes` (or copies them) before it returns: their buffer is reused for the next chunk. */
  write(bytes: Buffer): void;
  close(): void;
  /** Close and delete it: the text turned out the same as the file already there. */
  discard(): void;
}

/**
 * The buffer each chunk is encoded into: a chunk is hashed, compared and written before the next one
 * comes, so tens of thousands of files, hundreds of megabytes of text, need no buffer of their own.
 */
const SCRATCH_BYTES = 256 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
/** UTF-8 needs at most three bytes for a UTF-16 code unit. */
const MAX_BYTES_PER_CHAR = 3;

/** `chunk` as UTF-8, valid until the next call. */
function encoded(chunk: string): Buffer {
  if (chunk.length * MAX_BYTES_PER_CHAR > SCRATCH_BYTES) return Buffer.from(chunk, 'utf8');
  return scratch.subarray(0, scratch.write(chunk, 0, 'utf8'));
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
    const bytes = encoded(chunk);
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
