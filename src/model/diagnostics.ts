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
    this.items.push({ code, severity: 'error', file: at.file, path: at.path, message, fix });
  }

  warning(code: string, at: SpecLocation, message: string, fix: string): void {
    this.items.push({ code, severity: 'warning', file: at.file, path: at.path, message, fix });
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
  return `${d.severity} ${d.code} ${d.file}: ${d.path}\n  ${d.message}\n  fix: ${d.fix}`;
}
