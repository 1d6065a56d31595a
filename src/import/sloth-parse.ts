import { parseAllDocuments } from 'yaml';

/**
 * Reads Sloth inputs: `prometheus/v1` specs (snake_case keys) and `sloth.slok.dev/v1`
 * PrometheusServiceLevel CRs (camelCase keys), into one shape. Several `---` documents per file are allowed.
 */
export interface ParsedSlothAlert {
  disable: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ParsedSlothSlo {
  name: string;
  objective: number;
  description?: string;
  labels: Record<string, string>;
  sli: { kind: 'events'; errorQuery: string; totalQuery: string } | { kind: 'raw'; errorRatioQuery: string };
  alerting: {
    name?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    page: ParsedSlothAlert;
    ticket: ParsedSlothAlert;
  };
}

export interface ParsedSlothService {
  format: 'prometheus/v1' | 'sloth.slok.dev/v1';
  /** CR metadata, when the input was a PrometheusServiceLevel. */
  metadata?: { name: string; namespace?: string };
  service: string;
  labels: Record<string, string>;
  slos: ParsedSlothSlo[];
}

export class SlothParseError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function strings(v: unknown, where: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new SlothParseError(`${where}: expected a map of strings`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

function str(v: unknown, where: string, required = true): string | undefined {
  if (v === undefined || v === null) {
    if (required) throw new SlothParseError(`${where} is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new SlothParseError(`${where}: expected a string`);
  return v;
}

function parseSlo(raw: unknown, camel: boolean, where: string): ParsedSlothSlo {
  if (!isObj(raw)) throw new SlothParseError(`${where}: expected a map`);
  const key = (snake: string, camelCase: string): string => (camel ? camelCase : snake);
  const sli = raw.sli;
  if (!isObj(sli)) throw new SlothParseError(`${where}.sli is required`);
  let parsedSli: ParsedSlothSlo['sli'];
  if (isObj(sli.events)) {
    parsedSli = {
      kind: 'events',
      errorQuery: str(sli.events[key('error_query', 'errorQuery')], `${where}.sli.events.${key('error_query', 'errorQuery')}`)!,
      totalQuery: str(sli.events[key('total_query', 'totalQuery')], `${where}.sli.events.${key('total_query', 'totalQuery')}`)!,
    };
  } else if (isObj(sli.raw)) {
    parsedSli = {
      kind: 'raw',
      errorRatioQuery: str(sli.raw[key('error_ratio_query', 'errorRatioQuery')], `${where}.sli.raw.${key('error_ratio_query', 'errorRatioQuery')}`)!,
    };
  } else if (sli.plugin !== undefined) {
    throw new SlothParseError(`${where}.sli.plugin: SLI plugins have no infermon equivalent; rewrite it as a raw SLI`);
  } else throw new SlothParseError(`${where}.sli needs events or raw`);
  const alerting = isObj(raw.alerting) ? raw.alerting : {};
  const alert = (v: unknown, name: string): ParsedSlothAlert => {
    const a = isObj(v) ? v : {};
    return {
      disable: a.disable === true,
      labels: strings(a.labels, `${where}.alerting.${name}.labels`),
      annotations: strings(a.annotations, `${where}.alerting.${name}.annotations`),
    };
  };
  const objective = raw.objective;
  if (typeof objective !== 'number') throw new SlothParseError(`${where}.objective: expected a number`);
  return {
    name: str(raw.name, `${where}.name`)!,
    objective,
    description: str(raw.description, `${where}.description`, false),
    labels: strings(raw.labels, `${where}.labels`),
    sli: parsedSli,
    alerting: {
      name: str(alerting.name, `${where}.alerting.name`, false),
      labels: strings(alerting.labels, `${where}.alerting.labels`),
      annotations: strings(alerting.annotations, `${where}.alerting.annotations`),
      page: alert(alerting[key('page_alert', 'pageAlert')], key('page_alert', 'pageAlert')),
      ticket: alert(alerting[key('ticket_alert', 'ticketAlert')], key('ticket_alert', 'ticketAlert')),
    },
  };
}

function parseDocument(doc: unknown, where: string): ParsedSlothService {
  if (!isObj(doc)) throw new SlothParseError(`${where}: not a YAML map`);
  if (doc.version === 'prometheus/v1') {
    if (!Array.isArray(doc.slos) || doc.slos.length === 0) throw new SlothParseError(`${where}: slos needs at least one SLO`);
    return {
      format: 'prometheus/v1',
      service: str(doc.service, `${where}: service`)!,
      labels: strings(doc.labels, `${where}: labels`),
      slos: doc.slos.map((s, i) => parseSlo(s, false, `${where}: slos[${i}]`)),
    };
  }
  if (doc.apiVersion === 'sloth.slok.dev/v1' && doc.kind === 'PrometheusServiceLevel') {
    const spec = isObj(doc.spec) ? doc.spec : {};
    const metadata = isObj(doc.metadata) ? doc.metadata : {};
    if (!Array.isArray(spec.slos) || spec.slos.length === 0) throw new SlothParseError(`${where}: spec.slos needs at least one SLO`);
    return {
      format: 'sloth.slok.dev/v1',
      metadata: { name: str(metadata.name, `${where}: metadata.name`)!, namespace: str(metadata.namespace, `${where}: metadata.namespace`, false) },
      service: str(spec.service, `${where}: spec.service`)!,
      labels: strings(spec.labels, `${where}: spec.labels`),
      slos: spec.slos.map((s, i) => parseSlo(s, true, `${where}: spec.slos[${i}]`)),
    };
  }
  throw new SlothParseError(`${where}: neither a Sloth prometheus/v1 spec nor a sloth.slok.dev/v1 PrometheusServiceLevel`);
}

/** Every Sloth service in a YAML text (one per document). */
export function parseSlothYaml(text: string, file = 'input'): ParsedSlothService[] {
  const docs = parseAllDocuments(text);
  const out: ParsedSlothService[] = [];
  docs.forEach((d, i) => {
    if (d.errors.length) throw new SlothParseError(`${file}: document ${i + 1}: ${d.errors[0]!.message}`);
    const value: unknown = d.toJS();
    if (value === null || value === undefined) return;
    out.push(parseDocument(value, docs.length > 1 ? `${file} (document ${i + 1})` : file));
  });
  return out;
}
