/**
 * Tells the work of one exchange that the exchange is over. An AbortController per request costs an
 * EventTarget with its listener bookkeeping, and an Event on abort; a request's own work needs a flag and
 * a callback or two, so those are plain. A real AbortSignal is made only when an API takes one (a
 * streamed upstream request, the fairness queue).
 */
export class Cancellation {
  cancelled = false;
  private listeners: (() => void)[] | undefined;
  private controller: AbortController | undefined;

  /** `reason` is what a signal made here aborts with: one shared error, not a new one per request. */
  constructor(readonly reason: Error) {}

  /** Calls `listener` once, when cancelled; a listener added after that is not called. */
  on(listener: () => void): void {
    (this.listeners ??= []).push(listener);
  }

  off(listener: () => void): void {
    const i = this.listeners?.indexOf(listener) ?? -1;
    if (i >= 0) this.listeners!.splice(i, 1);
  }

  /** An AbortSignal that aborts with the cancellation (already aborted once cancelled). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cancelled) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
    this.controller?.abort(this.reason);
  }
}
