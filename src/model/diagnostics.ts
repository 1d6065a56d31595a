/**
 * Every problem found in the specs is a Diagnostic. Validation collects them all and never throws;
 * generation only starts when none has severity `error`.
 */
export type Severity = 'error' | 'warning';

export interface SpecLocation {
  /** Spec file relative to the project root, e.g. `specs/alerts/vllm.ts`. */
  file: string;
  /** Dotted path inside that file's exported spec, e.g. `vllmAlerts.rules[2].expr`. */
  path: string;
  /** Line in the file where the path is written, when it could be found. */
  line?: number;
}

export interface Diagnostic extends SpecLocation {
  /** Stable code such as `promql/unknown-metric`; tests and users match on it. */
  code: string;
  severity: Severity;
  message: string;
  /** How to fix it, in one sentence. */
  fix: string;
}

const SHOWN_REPEATS = 3;

export class Diagnostics {
  readonly items: Diagnostic[] = [];
  /** What a diagnostic is about, where many built from one spec line can share it (see collapseRepeats). */
  private readonly subjects = new WeakMap<Diagnostic, string>();

  error(code: string, at: SpecLocation, message: string, fix: string, subject?: string): void {
    this.push({ code, severity: 'error', ...location(at), message, fix }, subject);
  }

  warning(code: string, at: SpecLocation, message: string, fix: string, subject?: string): void {
    this.push({ code, severity: 'warning', ...location(at), message, fix }, subject);
  }

  private push(d: Diagnostic, subject: string | undefined): void {
    this.items.push(d);
    if (subject !== undefined) this.subjects.set(d, subject);
  }

  /**
   * One diagnostic for a problem that many queries built from one spec line share: a bundled factory's
   * selector with a misspelt label reaches every query it builds, and each would say the same. Needs
   * the lines (addSpecLines) to be known.
   */
  collapseRepeats(): void {
    const first = new Map<string, { kept: Diagnostic; paths: string[] }>();
    const kept: Diagnostic[] = [];
    for (const d of this.items) {
      const subject = this.subjects.get(d);
      const key = subject === undefined || d.line === undefined ? undefined : [d.code, d.file, d.line, subject].join('\n');
      const earlier = key === undefined ? undefined : first.get(key);
      if (earlier) {
        earlier.paths.push(d.path);
        continue;
      }
      if (key !== undefined) first.set(key, { kept: d, paths: [] });
      kept.push(d);
    }
    for (const { kept: d, paths } of first.values()) {
      if (paths.length === 0) continue;
      const shown = paths.slice(0, SHOWN_REPEATS).join(', ');
      const more = paths.length > SHOWN_REPEATS ? ` and ${paths.length - SHOWN_REPEATS} more` : '';
      d.message += `; the same ${this.subjects.get(d)} is in ${paths.length} more quer${paths.length === 1 ? 'y' : 'ies'} built on this line (${shown}${more})`;
    }
    this.items.splice(0, this.items.length, ...kept);
  }

  add(items: Iterable<Diagnostic>): void {
    for (const d of items) this.items.push(d);
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }

  get errors(): Diagnostic[] {
    return this.items.filter((d) => d.severity === 'error');
  }
}

function location(at: SpecLocation): SpecLocation {
  return at.line === undefined ? { file: at.file, path: at.path } : { file: at.file, line: at.line, path: at.path };
}

export function at(file: string, path: string): SpecLocation {
  return { file, path };
}

/** `a.b[2].c` from a zod-style path array. */
export function dotPath(root: string, parts: readonly PropertyKey[]): string {
  let out = root;
  for (const p of parts) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}${d.line === undefined ? '' : `:${d.line}`}${d.path === '' ? '' : `: ${d.path}`}`;
  return `${d.severity} ${d.code} ${where}\n  ${d.message}\n  fix: ${d.fix}`;
}
