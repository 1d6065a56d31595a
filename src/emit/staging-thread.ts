import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/**
 * The system calls that put staged files on disk (open, write, close, chmod, unlink), made on a thread of
 * their own while the main thread goes on serialising: at tens of thousands of files they are a tenth of
 * a write, and on a busy disk an `open` can block for long. The main thread copies each chunk into a ring of
 * shared memory and waits only when the ring is full, so memory stays bounded however far the disk lags.
 * Operations run in the order they were queued; the first that fails is reported to the main thread and
 * the rest are skipped.
 */

/** Bytes of the shared ring: enough to ride out a slow `open` without holding much. */
const RING_BYTES = 8 * 1024 * 1024;
/** Longest payload of one record: a larger chunk goes as several, so one record never needs the whole ring. */
const MAX_PAYLOAD = 1024 * 1024;
/** A record is an operation and a payload length (two 32-bit words), then the payload, padded to 8 bytes. */
const HEADER_BYTES = 8;
/**
 * Records are handed over in batches of about this many bytes: the thread sleeps while the ring is empty, and
 * waking it for every record would cost more than the writes it makes.
 */
const BATCH_BYTES = 256 * 1024;
/** A file's consecutive chunks go out in one `writev` of up to this many bytes and parts (well under IOV_MAX). */
const GATHER = { bytes: 1024 * 1024, parts: 64 } as const;
/** How long the main thread waits for the writing thread to make room before it calls the thread lost. */
const STALL_MS = 120_000;

const OP = { open: 1, data: 2, close: 3, discard: 4, wrap: 5 } as const;
/** Slots of the control words: bytes queued and not yet handled; FAILED once an operation has failed. */
const SLOT = { used: 0, failed: 1 } as const;
/** Values of the failed slot: an operation failed and the rest are skipped; the thread itself stopped. */
const FAILED = { operation: 1, thread: 2 } as const;

interface WorkerData {
  control: SharedArrayBuffer;
  ring: SharedArrayBuffer;
  port: MessagePort;
  op: typeof OP;
  slot: typeof SLOT;
  failedValues: typeof FAILED;
  gather: typeof GATHER;
}

/** A file-system error as the writing thread reports it, with what `describeSystemError` reads. */
interface ReportedError {
  message: string;
  code?: string;
  syscall?: string;
  path?: string;
}

/**
 * The writing thread's whole program. It runs from its source text (`Function.prototype.toString`), so it
 * refers to nothing outside itself but Node's built-in modules.
 */
function writingThread(): void {
  const fs = require('node:fs') as typeof import('node:fs');
  const { workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { control, ring, port, op, slot, failedValues, gather } = workerData as WorkerData;
  const words = new Int32Array(control);
  const bytes = new Uint8Array(ring);
  const view = new DataView(ring);
  const decoder = new TextDecoder();
  let at = 0;
  let fd = -1;
  let file = '';
  let mode = -1;
  let failed = false;
  const closeFile = () => {
    if (fd === -1) return;
    const open = fd;
    fd = -1;
    fs.closeSync(open);
  };
  const apply = (kind: number, payload: Uint8Array) => {
    if (kind === op.open) {
      mode = new DataView(payload.buffer, payload.byteOffset, 4).getInt32(0, true);
      file = decoder.decode(payload.subarray(4));
      fd = fs.openSync(file, 'w');
    } else if (kind === op.close) {
      closeFile();
      if (mode !== -1) fs.chmodSync(file, mode);
    } else if (kind === op.discard) {
      closeFile();
      fs.unlinkSync(file);
    }
  };
  const writeAll = (parts: Uint8Array[]) => {
    let done = fs.writevSync(fd, parts);
    // A short write is rare on a regular file; the rest goes piece by piece.
    for (const part of parts) {
      if (done >= part.length) {
        done -= part.length;
        continue;
      }
      while (done < part.length) done += fs.writeSync(fd, part, done);
      done = 0;
    }
  };
  const report = (err: unknown, failure: number) => {
    const e = err as NodeJS.ErrnoException;
    port.postMessage({ message: String(e?.message ?? err), code: e?.code, syscall: e?.syscall, path: e?.path });
    Atomics.store(words, slot.failed, failure);
    Atomics.notify(words, slot.used);
  };
  /** Runs one file operation unless one has failed already; the first failure is reported and ends the rest. */
  const attempt = (operation: () => void) => {
    if (failed) return;
    try {
      operation();
    } catch (err) {
      failed = true;
      try {
        closeFile();
      } catch {
        // the failure already met is the one that counts
      }
      report(err, failedValues.operation);
    }
  };
  // Consecutive data records of a file go out in one `writev`; their ring space is given back once written.
  let gathered: Uint8Array[] = [];
  let gatheredBytes = 0;
  let unreleased = 0;
  const flush = () => {
    if (gathered.length > 0) {
      const parts = gathered;
      gathered = [];
      gatheredBytes = 0;
      attempt(() => writeAll(parts));
    }
    if (unreleased === 0) return;
    Atomics.sub(words, slot.used, unreleased);
    unreleased = 0;
    Atomics.notify(words, slot.used);
  };
  try {
    for (;;) {
      while (Atomics.load(words, slot.used) === 0) Atomics.wait(words, slot.used, 0);
      const available = Atomics.load(words, slot.used);
      for (let taken = 0; taken < available; ) {
        const kind = view.getUint32(at, true);
        const length = view.getUint32(at + 4, true);
        const size = kind === op.wrap ? bytes.length - at : 8 + Math.ceil(length / 8) * 8;
        const payload = bytes.subarray(at + 8, at + 8 + length);
        if (kind === op.data) {
          if (!failed) {
            gathered.push(payload);
            gatheredBytes += length;
          }
        } else if (kind !== op.wrap) {
          flush();
          attempt(() => apply(kind, payload));
        }
        unreleased += size;
        at = (at + size) % bytes.length;
        taken += size;
        if (gatheredBytes >= gather.bytes || gathered.length >= gather.parts) flush();
      }
      flush();
    }
  } catch (err) {
    report(err, failedValues.thread);
  }
}

const align = (n: number) => Math.ceil(n / 8) * 8;

/** The main thread's end: queues file operations for the writing thread, which starts with the first one. */
export class StagingThread {
  private readonly words = new Int32Array(new SharedArrayBuffer(8));
  private readonly ring = new SharedArrayBuffer(RING_BYTES);
  private readonly bytes = new Uint8Array(this.ring);
  private readonly view = new DataView(this.ring);
  private readonly encoder = new TextEncoder();
  private at = 0;
  /** Bytes of records written into the ring and not yet handed over. */
  private pending = 0;
  private worker: Worker | undefined;
  private reports: MessagePort | undefined;
  private failure: Error | undefined;

  /** Creates (truncates) `file`; it gets `mode` when closed. */
  open(file: string, mode: number | undefined): void {
    const path = this.encoder.encode(file);
    this.queue(OP.open, 4 + path.length, (into) => {
      new DataView(into.buffer, into.byteOffset, 4).setInt32(0, mode ?? -1, true);
      into.set(path, 4);
    });
  }

  /** Appends `bytes` to the open file; they are copied before this returns. */
  write(bytes: Uint8Array): void {
    for (let from = 0; from < bytes.length; from += MAX_PAYLOAD) {
      const part = bytes.subarray(from, Math.min(bytes.length, from + MAX_PAYLOAD));
      this.queue(OP.data, part.length, (into) => into.set(part));
    }
  }

  close(): void {
    this.queue(OP.close, 0);
  }

  /** Closes the open file and deletes it. */
  discard(): void {
    this.queue(OP.discard, 0);
  }

  /** Waits until every queued operation is done; throws the first that failed. */
  settle(): void {
    if (!this.worker) return;
    this.handOver();
    this.waitUntil(() => Atomics.load(this.words, SLOT.used) === 0);
    this.throwIfFailed();
  }

  /** Lets the thread go once everything is settled (or given up on). */
  stop(): void {
    void this.worker?.terminate();
    this.worker = undefined;
    this.reports?.close();
  }

  private queue(op: number, length: number, fill?: (into: Uint8Array) => void): void {
    this.throwIfFailed();
    this.start();
    const size = HEADER_BYTES + align(length);
    if (this.at + size > RING_BYTES) {
      // Records never wrap: the rest of the ring is skipped with one marker.
      this.reserve(RING_BYTES - this.at);
      this.view.setUint32(this.at, OP.wrap, true);
      this.publish(RING_BYTES - this.at);
    }
    this.reserve(size);
    this.view.setUint32(this.at, op, true);
    this.view.setUint32(this.at + 4, length, true);
    fill?.(this.bytes.subarray(this.at + HEADER_BYTES, this.at + HEADER_BYTES + length));
    this.publish(size);
  }

  private publish(size: number): void {
    this.at = (this.at + size) % RING_BYTES;
    this.pending += size;
    if (this.pending >= BATCH_BYTES) this.handOver();
  }

  private handOver(): void {
    if (this.pending === 0) return;
    // The thread only sleeps on an empty ring, so only then does it need waking.
    if (Atomics.add(this.words, SLOT.used, this.pending) === 0) Atomics.notify(this.words, SLOT.used);
    this.pending = 0;
  }

  private free(): number {
    return RING_BYTES - Atomics.load(this.words, SLOT.used) - this.pending;
  }

  private reserve(size: number): void {
    if (this.free() >= size) return;
    this.handOver();
    this.waitUntil(() => this.free() >= size);
  }

  /** Blocks until `ready()`; the thread counts as lost when it handles nothing for STALL_MS. */
  private waitUntil(ready: () => boolean): void {
    let waited = 0;
    while (!ready()) {
      if (Atomics.load(this.words, SLOT.failed) === FAILED.thread) this.throwIfFailed();
      const used = Atomics.load(this.words, SLOT.used);
      if (Atomics.wait(this.words, SLOT.used, used, 100) === 'timed-out') {
        waited += 100;
        if (waited >= STALL_MS) throw new Error(`the thread writing staged files made no progress for ${STALL_MS / 1000} s`);
      } else waited = 0;
    }
  }

  private throwIfFailed(): void {
    if (Atomics.load(this.words, SLOT.failed) === 0) return;
    if (!this.failure) {
      const report = this.reports && (receiveMessageOnPort(this.reports)?.message as ReportedError | undefined);
      this.failure = Object.assign(new Error(report?.message ?? 'writing a staged file failed'), report ?? {});
    }
    throw this.failure;
  }

  private start(): void {
    if (this.worker) return;
    const { port1, port2 } = new MessageChannel();
    this.reports = port1;
    const workerData: WorkerData = { control: this.words.buffer as SharedArrayBuffer, ring: this.ring, port: port2, op: OP, slot: SLOT, failedValues: FAILED, gather: GATHER };
    // A build that keeps function names wraps them in a `__name` helper the thread's own source lacks.
    const source = `const __name = (target) => target;\n(${writingThread.toString()})();`;
    this.worker = new Worker(source, { eval: true, workerData, transferList: [port2] });
    // Its failures come through the shared words; an error event left unheard would end the process.
    this.worker.on('error', () => {});
    // The thread never keeps the process alive: it is idle whenever the main thread is not waiting on it.
    this.worker.unref();
  }
}
