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

export class Diagnostics {
  readonly items: Diagnostic[] = [];

  error(code: string, at: SpecLocation, message: string, fix: string): void {
    this.items.push({ code, severity: 'error', ...location(at), message, fix });
  }

  warning(code: string, at: SpecLocation, message: string, fix: string): void {
    this.items.push({ code, severity: 'warning', ...location(at), message, fix });
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
