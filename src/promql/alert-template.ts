import { goFloat } from '../conventions.ts';

/**
 * Renders the subset of Prometheus alert templating that infermon specs may use, exactly as Prometheus
 * does, so promtool unit tests can state the annotations an alert will carry:
 *   {{ $labels.name }}  {{ $value }}  {{ $value | humanize }}  {{ $value | humanizePercentage }}
 *   {{ $value | humanize1024 }}  {{ printf "%.2f" $value }}
 * Anything else is reported by `unsupportedTemplateParts` so specs stay testable.
 */
const ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/g;

type Renderer = (labels: Record<string, string>, value: number) => string;

function compile(action: string): Renderer | undefined {
  const label = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(action);
  if (label) return (labels) => labels[label[1]!] ?? '';
  if (action === '$value') return (_, v) => goFloat(v);
  const piped = /^\$value\s*\|\s*(humanize|humanizePercentage|humanize1024)$/.exec(action);
  if (piped) {
    const fn = piped[1];
    if (fn === 'humanize') return (_, v) => humanize(v);
    if (fn === 'humanize1024') return (_, v) => humanize1024(v);
    return (_, v) => `${goG(v * 100, 4)}%`;
  }
  const printf = /^printf\s+"%\.(\d)f"\s+\$value$/.exec(action);
  if (printf) return (_, v) => v.toFixed(Number(printf[1]));
  return undefined;
}

/** Template actions that `renderAlertTemplate` cannot render. */
export function unsupportedTemplateParts(text: string): string[] {
  return [...text.matchAll(ACTION)].filter((m) => !compile(m[1]!)).map((m) => m[0]);
}

export function renderAlertTemplate(text: string, labels: Record<string, string>, value: number): string {
  return text.replace(ACTION, (whole, action: string) => {
    const render = compile(action);
    if (!render) throw new Error(`unsupported alert template action ${whole}`);
    return render(labels, value);
  });
}

/**
 * The template text as a person reads it where no alert is at hand (runbook pages): each label becomes
 * its name in code, each rendering of the value the word `value`.
 */
export function describeAlertTemplate(text: string): string {
  return text.replace(ACTION, (whole, action: string) => {
    const label = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(action);
    if (label) return `\`${label[1]}\``;
    return action.includes('$value') ? '`value`' : whole;
  });
}

/** Go's fmt `%.<precision>g`. */
export function goG(v: number, precision: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  const [mantissa, expText] = v.toExponential(precision - 1).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= precision) {
    const m = stripZeros(mantissa!);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return stripZeros(v.toFixed(Math.max(0, precision - 1 - exp)));
}

function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return goG(v, 4);
  let x = v;
  let prefix = '';
  if (Math.abs(x) >= 1) {
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(x) < 1000) break;
      prefix = p;
      x /= 1000;
    }
  } else {
    for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
      if (Math.abs(x) >= 1) break;
      prefix = p;
      x *= 1000;
    }
  }
  return `${goG(x, 4)}${prefix}`;
}

function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return goG(v, 4);
  let x = v;
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(x) < 1024) break;
    prefix = p;
    x /= 1024;
  }
  return `${goG(x, 4)}${prefix}`;
}
