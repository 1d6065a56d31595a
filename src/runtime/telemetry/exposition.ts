/**
 * A parser for the Prometheus text exposition format (version 0.0.4): `# HELP`, `# TYPE`, samples with
 * quoted, escaped label values and optional timestamps. Used to read model servers' /metrics and to
 * check what a component exposes against the catalog.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

export class ExpositionError extends Error {}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count', '_created'],
  summary: ['_sum', '_count', '_created'],
  counter: ['_total', '_created'],
  gauge: [],
  untyped: [],
  info: ['_info'],
};

function parseValue(text: string, line: string): number {
  switch (text) {
    case '+Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
  }
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new ExpositionError(`bad sample value in: ${line}`);
  return value;
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** Parses `{a="x",b="y"}` starting at `start` (the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return { labels, end: i + 1 };
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i))?.[0];
    if (!name) throw new ExpositionError(`bad label name in: ${line}`);
    i += name.length;
    if (line[i] !== '=' || line[i + 1] !== '"') throw new ExpositionError(`expected ="…" after ${name} in: ${line}`);
    i += 2;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new ExpositionError(`unterminated label value in: ${line}`);
      if (c === '"') break;
      if (c === '\\') {
        const next = line[i + 1];
        value += next === 'n' ? '\n' : next === '"' ? '"' : next === '\\' ? '\\' : `\\${next ?? ''}`;
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    if (name in labels) throw new ExpositionError(`duplicate label ${name} in: ${line}`);
    labels[name] = value;
    i++;
  }
}

/** The family a sample name belongs to, given the families declared so far. */
function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(sampleName);
  if (direct) return direct;
  for (const [name, family] of families) {
    for (const suffix of SUFFIXES[family.type] ?? []) if (sampleName === name + suffix) return family;
  }
  return undefined;
}

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const declare = (name: string): Family => {
    let family = families.get(name);
    if (!family) {
      family = { name, type: 'untyped', help: '', samples: [] };
      families.set(name, family);
    }
    return family;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) continue;
      const family = declare(m[2]!);
      if (m[1] === 'HELP') family.help = unescapeHelp(m[3] ?? '');
      else family.type = (m[3] ?? 'untyped').trim();
      continue;
    }
    const name = NAME.exec(line)?.[0];
    if (!name) throw new ExpositionError(`bad sample line: ${line}`);
    let i = name.length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') ({ labels, end: i } = parseLabels(line, i));
    const rest = line.slice(i).trim().split(/\s+/);
    const value = parseValue(rest[0] ?? '', line);
    const family = familyOf(name, families) ?? declare(name);
    family.samples.push({ name, labels, value });
  }
  return families;
}

/** Sum of the values of a family's samples named `sampleName` whose labels include `match`. */
export function sumSamples(
  families: Map<string, Family>,
  sampleName: string,
  match: Record<string, string> = {},
): number {
  let total = 0;
  for (const family of families.values()) {
    for (const s of family.samples) {
      if (s.name !== sampleName) continue;
      if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
    }
  }
  return total;
}
