import { re2ToRegExp } from '../../src/check/logs.ts';
import type { Stage } from '../../generators/logs/pipeline.ts';

/**
 * Runs shipper pipeline stages on log lines the way Promtail and Alloy do, for the stages infermon
 * emits. Stages come from the generated configs (parsed back), so the regexes tested are the ones shipped.
 */

export interface Processed {
  line: string;
  extracted: Record<string, string>;
  labels: Record<string, string>;
  metadata: Record<string, string>;
  timestamp?: number;
}

/** The dotted-path subset of JMESPath the generated json stages use. */
function jmespath(value: unknown, expression: string): unknown {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(expression)) throw new Error(`unsupported JMESPath: ${expression}`);
  let current = value;
  for (const part of expression.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function asString(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

/** The Go-template subset the generated template stages use: `{{ .X }}` and `{{ if .X }}…{{ end }}`. */
function goTemplate(template: string, data: Record<string, string>): string {
  const field = (name: string) => data[name] ?? '';
  const withIfs = template.replace(/\{\{\s*if\s+\.(\w+)\s*\}\}(.*?)\{\{\s*end\s*\}\}/g, (_, name: string, body: string) => (field(name) ? body : ''));
  const out = withIfs.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, name: string) => field(name));
  if (out.includes('{{')) throw new Error(`unsupported template: ${template}`);
  return out;
}

/** The CRI log format: `<time> <stream> <P|F> <content>`. */
const CRI = /^(\S+) (stdout|stderr) ([PF]) (.*)$/;

export function runStages(stages: readonly Stage[], input: string): Processed {
  const state: Processed = { line: input, extracted: {}, labels: {}, metadata: {} };
  for (const stage of stages) {
    switch (stage.type) {
      case 'cri': {
        const m = CRI.exec(state.line);
        if (m) state.line = m[4]!;
        break;
      }
      case 'json': {
        let doc: unknown;
        try {
          doc = JSON.parse(state.line);
        } catch {
          break;
        }
        for (const [name, expr] of Object.entries(stage.expressions)) {
          const v = asString(jmespath(doc, expr));
          if (v !== undefined) state.extracted[name] = v;
        }
        break;
      }
      case 'regex': {
        const subject = stage.source ? state.extracted[stage.source] : state.line;
        if (subject === undefined) break;
        const m = re2ToRegExp(stage.expression).exec(subject);
        for (const [name, v] of Object.entries(m?.groups ?? {})) if (v !== undefined) state.extracted[name] = v;
        break;
      }
      case 'template': {
        const value = goTemplate(stage.template, { ...state.extracted, Value: state.extracted[stage.source] ?? '' });
        if (value === '') delete state.extracted[stage.source];
        else state.extracted[stage.source] = value;
        break;
      }
      case 'timestamp': {
        const v = state.extracted[stage.source];
        if (v !== undefined && Number.isFinite(Date.parse(v))) state.timestamp = Date.parse(v);
        break;
      }
      case 'labels':
      case 'structured_metadata': {
        const target = stage.type === 'labels' ? state.labels : state.metadata;
        for (const [name, source] of Object.entries(stage.values)) {
          const v = state.extracted[source || name];
          if (v !== undefined && v !== '') target[name] = v;
        }
        break;
      }
    }
  }
  return state;
}

/** Promtail `pipeline_stages` entries back to stages. */
export function promtailStagesOf(entries: ReadonlyArray<Record<string, any>>): Stage[] {
  return entries.map((entry) => {
    const [type, body] = Object.entries(entry)[0]!;
    switch (type) {
      case 'cri':
        return { type: 'cri' };
      case 'json':
        return { type: 'json', expressions: body.expressions };
      case 'regex':
        return { type: 'regex', expression: body.expression, ...(body.source ? { source: body.source } : {}) };
      case 'template':
        return { type: 'template', source: body.source, template: body.template };
      case 'timestamp':
        return { type: 'timestamp', source: body.source, format: body.format };
      case 'labels':
      case 'structured_metadata':
        return { type, values: body };
      default:
        throw new Error(`unexpected promtail stage ${type}`);
    }
  });
}

// ---------------------------------------------------------------- Alloy

type Token = { kind: 'ident' | 'string' | 'punct'; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) i++;
    else if (source.startsWith('//', i)) i = source.indexOf('\n', i) === -1 ? source.length : source.indexOf('\n', i);
    else if (c === '"') {
      let j = i + 1;
      while (source[j] !== '"') j += source[j] === '\\' ? 2 : 1;
      tokens.push({ kind: 'string', text: JSON.parse(source.slice(i, j + 1)) as string });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(source.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    } else if ('{}[]=,'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else throw new Error(`unexpected character ${c} at ${i}`);
  }
  return tokens;
}

export interface AlloyBlock {
  name: string;
  label?: string;
  attributes: Record<string, unknown>;
  blocks: AlloyBlock[];
}

/** Parses the Alloy subset infermon writes: blocks, string/map/list/reference attributes. */
export function parseAlloy(source: string): AlloyBlock[] {
  const tokens = tokenize(source);
  let p = 0;
  const peek = () => tokens[p];
  const next = () => tokens[p++]!;
  const expect = (text: string) => {
    const t = next();
    if (t.text !== text) throw new Error(`expected ${text}, got ${t.text}`);
  };
  function value(): unknown {
    const t = next();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'ident') return { ref: t.text };
    if (t.text === '[') {
      const items: unknown[] = [];
      while (peek()?.text !== ']') {
        items.push(value());
        if (peek()?.text === ',') next();
      }
      expect(']');
      return items;
    }
    if (t.text === '{') {
      const map: Record<string, unknown> = {};
      while (peek()?.text !== '}') {
        const key = next().text;
        expect('=');
        map[key] = value();
        if (peek()?.text === ',') next();
      }
      expect('}');
      return map;
    }
    throw new Error(`unexpected ${t.text}`);
  }
  function body(): Pick<AlloyBlock, 'attributes' | 'blocks'> {
    const attributes: Record<string, unknown> = {};
    const blocks: AlloyBlock[] = [];
    while (peek() && peek()!.text !== '}') {
      const name = next().text;
      if (peek()?.text === '=') {
        next();
        attributes[name] = value();
        continue;
      }
      const label = peek()?.kind === 'string' ? next().text : undefined;
      expect('{');
      const inner = body();
      expect('}');
      blocks.push({ name, ...(label !== undefined ? { label } : {}), ...inner });
    }
    return { attributes, blocks };
  }
  const top = body();
  if (p !== tokens.length) throw new Error('trailing tokens');
  return top.blocks;
}

/** The stages of a `loki.process` block. */
export function alloyStagesOf(block: AlloyBlock): Stage[] {
  return block.blocks.map((b) => {
    const a = b.attributes as Record<string, any>;
    switch (b.name) {
      case 'stage.cri':
        return { type: 'cri' };
      case 'stage.json':
        return { type: 'json', expressions: a.expressions };
      case 'stage.regex':
        return { type: 'regex', expression: a.expression, ...(a.source ? { source: a.source } : {}) };
      case 'stage.template':
        return { type: 'template', source: a.source, template: a.template };
      case 'stage.timestamp':
        return { type: 'timestamp', source: a.source, format: a.format };
      case 'stage.labels':
        return { type: 'labels', values: a.values };
      case 'stage.structured_metadata':
        return { type: 'structured_metadata', values: a.values };
      default:
        throw new Error(`unexpected alloy block ${b.name}`);
    }
  });
}
