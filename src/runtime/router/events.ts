/**
 * The router's own operational log (refused connections, bad requests on the admin port, failures inside
 * its handlers), one line per event on stderr unless a sink is given. Client requests are in the access
 * log instead. Lines never carry request bodies, header values or configured credentials.
 */
export type EventSink = (line: string) => void;

/** Repeats of one kind of event within this window are folded into a count on the next line. */
const THROTTLE_MS = 1000;

export class RouterEvents {
  private readonly throttles = new Map<string, { until: number; folded: number }>();

  constructor(private readonly sink: EventSink = (line) => process.stderr.write(`${line}\n`)) {}

  note(message: string): void {
    this.sink(`router: ${message}`);
  }

  /** Like note, but a flood of one kind of event (keyed by `kind`) writes at most one line a second. */
  noteThrottled(kind: string, message: string, now = Date.now()): void {
    const throttle = this.throttles.get(kind);
    if (throttle && now < throttle.until) {
      throttle.folded++;
      return;
    }
    const folded = throttle?.folded ? ` (and ${throttle.folded} more like it before)` : '';
    this.throttles.set(kind, { until: now + THROTTLE_MS, folded: 0 });
    this.note(`${message}${folded}`);
  }
}
