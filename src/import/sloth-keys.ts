/**
 * The keys Sloth's two input formats accept, so an imported file with a misspelt key (`tiket_alert`) or a
 * feature infermon cannot reproduce (SLO plugins) fails with its key path instead of being dropped.
 */
type Shape = { [key: string]: Shape | 'leaf' | 'map' | 'any' | 'plugins' | { list: Shape } };

const alert = (): Shape => ({ disable: 'leaf', labels: 'map', annotations: 'map' });

function sloShape(camel: boolean): Shape {
  const k = (snake: string, camelCase: string): string => (camel ? camelCase : snake);
  return {
    name: 'leaf',
    description: 'leaf',
    objective: 'leaf',
    labels: 'map',
    plugins: 'plugins',
    sli: {
      events: { [k('error_query', 'errorQuery')]: 'leaf', [k('total_query', 'totalQuery')]: 'leaf' },
      raw: { [k('error_ratio_query', 'errorRatioQuery')]: 'leaf' },
      plugin: 'any',
    },
    alerting: {
      name: 'leaf',
      labels: 'map',
      annotations: 'map',
      [k('page_alert', 'pageAlert')]: alert(),
      [k('ticket_alert', 'ticketAlert')]: alert(),
    },
  };
}

const PROMETHEUS_V1: Shape = {
  version: 'leaf',
  service: 'leaf',
  labels: 'map',
  slo_plugins: 'plugins',
  slos: { list: sloShape(false) },
};

const SERVICE_LEVEL_CR: Shape = {
  apiVersion: 'leaf',
  kind: 'leaf',
  metadata: 'any',
  status: 'any',
  spec: { service: 'leaf', labels: 'map', sloPlugins: 'plugins', slos: { list: sloShape(true) } },
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A plugin chain with entries changes the rules Sloth generates; an empty one changes nothing. */
function hasPlugins(v: unknown): boolean {
  return isObj(v) && Array.isArray(v.chain) && v.chain.length > 0;
}

function walk(value: unknown, shape: Shape, path: string, problems: string[]): void {
  if (!isObj(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    const expected = shape[key];
    if (expected === undefined) {
      const known = Object.keys(shape).join(', ');
      problems.push(`${at}: unknown key (expected one of: ${known})`);
    } else if (expected === 'plugins') {
      if (hasPlugins(child)) problems.push(`${at}: SLO plugins change the generated rules and have no infermon equivalent; remove them or express the change in the SLI query`);
    } else if (typeof expected === 'object' && 'list' in expected) {
      if (Array.isArray(child)) child.forEach((item, i) => walk(item, expected.list as Shape, `${at}[${i}]`, problems));
    } else if (typeof expected === 'object') walk(child, expected, at, problems);
  }
}

/** Key-path problems of one Sloth document (empty when every key is one Sloth knows). */
export function slothKeyProblems(doc: unknown): string[] {
  if (!isObj(doc)) return [];
  const problems: string[] = [];
  if (doc.version === 'prometheus/v1') walk(doc, PROMETHEUS_V1, '', problems);
  else if (doc.apiVersion === 'sloth.slok.dev/v1' && doc.kind === 'PrometheusServiceLevel') walk(doc, SERVICE_LEVEL_CR, '', problems);
  return problems;
}
