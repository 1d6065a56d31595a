import { fileStem } from '../conventions.ts';
import type { SpecLocation } from '../model/diagnostics.ts';
import type { Model } from '../model/model.ts';
import { runbookSubjects, type RunbookSubject } from '../model/runbook-subjects.ts';

/**
 * Which runbook page each alert links. An alert name that reads one way keeps the page named after it.
 * Instances of one name that read differently (a bundled factory instantiated once per deployment) each
 * get a page qualified by their group, numbered when one group holds several, so no page overwrites
 * another and every alert's runbook_url leads to its own. Instances that read the same share a page.
 * The plain name then becomes an index of the instances' pages, so a link made while the name had one
 * page (in a sent notification, a wiki, a chat) still lands where its runbook is.
 */

/** A page to write: its name under the runbook folder, without `.md`, and the alert it describes. */
export interface RunbookPage {
  name: string;
  subject: RunbookSubject;
}

/** The page under an alert name that several differently reading instances share: it lists their pages. */
export interface RunbookIndex {
  name: string;
  instances: readonly RunbookPage[];
}

export interface RunbookPages {
  /** One entry per page, in declaration order of the alert names. */
  pages: readonly RunbookPage[];
  indexes: readonly RunbookIndex[];
  /** Every page name: the alerts' own pages and the indexes. */
  names: ReadonlySet<string>;
  /** The page of the alert declared at `origin`; SLO alerts have none. */
  pageOf(origin: SpecLocation): string | undefined;
}

const originKey = (origin: SpecLocation) => `${origin.file}\n${origin.path}`;

/** What a page says: everything about the alert but which array element declares it. */
const reading = (s: RunbookSubject) => JSON.stringify({ ...s, origin: undefined });

/** Names for the distinct readings of one alert name: the name alone when there is one. */
function pageNames(alert: string, readings: readonly RunbookSubject[]): string[] {
  if (readings.length === 1) return [alert];
  const qualified = readings.map((s) => `${alert}-${fileStem(s.group)}`);
  const total = new Map<string, number>();
  for (const q of qualified) total.set(q, (total.get(q) ?? 0) + 1);
  const numbered = new Map<string, number>();
  return qualified.map((q) => {
    if (total.get(q) === 1) return q;
    const n = (numbered.get(q) ?? 0) + 1;
    numbered.set(q, n);
    return `${q}-${n}`;
  });
}

/** The instances of one alert name, grouped by how their pages read. */
function byReading(instances: readonly RunbookSubject[]): RunbookSubject[][] {
  if (instances.length === 1) return [[...instances]];
  const groups = new Map<string, RunbookSubject[]>();
  for (const s of instances) {
    const key = reading(s);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()];
}

export function runbookPages(model: Model): RunbookPages {
  const byAlert = new Map<string, RunbookSubject[]>();
  for (const s of runbookSubjects(model)) {
    const instances = byAlert.get(s.alert);
    if (instances) instances.push(s);
    else byAlert.set(s.alert, [s]);
  }
  const pages: RunbookPage[] = [];
  const indexes: RunbookIndex[] = [];
  const pageByOrigin = new Map<string, string>();
  for (const [alert, instances] of byAlert) {
    const readings = byReading(instances);
    const own = pageNames(alert, readings.map(([first]) => first!)).map((name, i) => {
      for (const s of readings[i]!) pageByOrigin.set(originKey(s.origin), name);
      return { name, subject: readings[i]![0]! };
    });
    pages.push(...own);
    if (own.length > 1) indexes.push({ name: alert, instances: own });
  }
  return {
    pages,
    indexes,
    names: new Set([...pages, ...indexes].map((p) => p.name)),
    pageOf: (origin) => pageByOrigin.get(originKey(origin)),
  };
}
