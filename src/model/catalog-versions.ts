import type { FamilyChange, LabelSpec, Source, SourceHistory } from './catalog.ts';

/**
 * The catalog at an upstream release. A source's families describe its history's `current` release; the
 * view at another release undoes the changes after it (an older pin) or applies the recorded ones up to it
 * (a newer pin), and marks families the release does not have: added later (`absentUntil`) or removed by
 * then (`removedIn`).
 */

type Family = Source['metrics'][number];

const bare = (release: string): string => release.replace(/^v(?=\d)/, '');

/**
 * Position of `version` among the history's releases, oldest first. A pin finer than the releases
 * (`0.11.2`, `v0.11`) matches the release it starts with (`0.11`); a coarser one (`4.0`) the first
 * release of that line (`4.0.0-4.0.1`).
 */
export function releaseIndex(history: SourceHistory, version: string): number | undefined {
  const releases = history.releases.map(bare);
  const wanted = bare(version);
  const exact = releases.indexOf(wanted);
  if (exact >= 0) return exact;
  let finer: number | undefined;
  releases.forEach((r, i) => {
    if (wanted.startsWith(`${r}.`) && (finer === undefined || r.length > releases[finer]!.length)) finer = i;
  });
  if (finer !== undefined) return finer;
  const coarser = releases.findIndex((r) => r.startsWith(`${wanted}.`) || r.startsWith(`${wanted}-`));
  return coarser >= 0 ? coarser : undefined;
}

/** The release name `version` stands for, or undefined when the history does not know it. */
export function resolveRelease(history: SourceHistory, version: string): string | undefined {
  const i = releaseIndex(history, version);
  return i === undefined ? undefined : history.releases[i];
}

/** The release a deployment runs: its pin, else the history's current release. */
export function pinnedRelease(source: Pick<Source, 'history' | 'version'>): string | undefined {
  if (!source.history) return undefined;
  return resolveRelease(source.history, source.version ?? source.history.current);
}

/** Whether `a` comes before `b`; false when either is unknown to the history. */
function before(history: SourceHistory, a: string, b: string): boolean {
  const i = releaseIndex(history, a);
  const j = releaseIndex(history, b);
  return i !== undefined && j !== undefined && i < j;
}

/** Changes of `family` that take effect after `from` up to and including `to` (in either direction), oldest first. */
export function changesBetween(history: SourceHistory, family: string, from: string, to: string): FamilyChange[] {
  const a = releaseIndex(history, from);
  const b = releaseIndex(history, to);
  if (a === undefined || b === undefined) return [];
  const [low, high] = a < b ? [a, b] : [b, a];
  return history.changes
    .filter((c) => c.family === family)
    .map((c) => ({ c, at: releaseIndex(history, c.version) }))
    .filter((x): x is { c: FamilyChange; at: number } => x.at !== undefined && x.at > low && x.at <= high)
    .sort((x, y) => x.at - y.at)
    .map((x) => x.c);
}

function renameKeys(labels: Record<string, LabelSpec>, renames: Record<string, string>): Record<string, LabelSpec> {
  return Object.fromEntries(Object.entries(labels).map(([name, spec]) => [renames[name] ?? name, spec]));
}

function invert(renames: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(renames).map(([from, to]) => [to, from]));
}

/** The family's shape after (`forward`) or before one change. */
function applyShape(family: Family, change: FamilyChange, forward: boolean): Family {
  switch (change.change) {
    case 'relabelled': {
      const gone = new Set(forward ? change.removed : change.added);
      const come = forward ? change.added : change.removed;
      const kept = Object.fromEntries(Object.entries(family.labels).filter(([name]) => !gone.has(name)));
      const labels = renameKeys(kept, forward ? change.renamed : invert(change.renamed));
      for (const name of come) labels[name] ??= { kind: 'bounded', description: `label of ${change.family} ${forward ? 'from' : 'before'} ${change.version}` };
      return { ...family, labels };
    }
    case 'retyped': {
      const type = forward ? change.to : change.from;
      return { ...family, type, ...(type === 'histogram' ? {} : { buckets: undefined }) };
    }
    case 'rebucketed':
      return { ...family, buckets: [...(forward ? change.to : change.from)] };
    case 'unit':
      return { ...family, unit: forward ? change.to : change.from };
    default:
      return family;
  }
}

/** Whether the family exists at `release`, and under what status (deprecated, removed, not yet added). */
function presenceAt(family: Family, history: SourceHistory, release: string): Family {
  const out: Family = { ...family };
  const added = history.changes.find((c) => c.family === family.name && c.change === 'added')?.version ?? family.since;
  if (added && before(history, release, added)) out.absentUntil = added;
  const gone = history.changes.find((c) => c.family === family.name && (c.change === 'removed' || c.change === 'renamed'));
  const removedIn = gone?.version ?? family.removedIn;
  if (removedIn && before(history, release, removedIn)) {
    delete out.removedIn;
    if (out.deprecated && before(history, release, out.deprecated)) delete out.deprecated;
    if (!out.deprecated) delete out.renamedTo;
  } else if (removedIn) {
    out.removedIn = removedIn;
    if (gone?.change === 'renamed') out.renamedTo = gone.to;
  } else if (out.deprecated && before(history, release, out.deprecated)) {
    delete out.deprecated;
    delete out.renamedTo;
  }
  return out;
}

/** One family as the source's release `release` exposes it. */
export function familyAt(family: Family, history: SourceHistory, release: string): Family {
  const at = releaseIndex(history, release);
  const current = releaseIndex(history, history.current);
  if (at === undefined || current === undefined) return family;
  if (at === current) return family;
  const own = history.changes
    .map((c) => ({ c, i: releaseIndex(history, c.version) }))
    .filter((x): x is { c: FamilyChange; i: number } => x.c.family === family.name && x.i !== undefined);
  let shaped = presenceAt(family, history, release);
  // Undo what came after the pin, newest first; apply what came after the current entry up to the pin, oldest first.
  for (const { c } of own.filter((x) => x.i > at && x.i <= current).sort((x, y) => y.i - x.i)) shaped = applyShape(shaped, c, false);
  for (const { c } of own.filter((x) => x.i > current && x.i <= at).sort((x, y) => x.i - y.i)) shaped = applyShape(shaped, c, true);
  return { ...shaped, pinned: history.releases[at] };
}

/** The source as its pinned release exposes it; the source itself when it runs the current release. */
export function sourceAt(source: Source, version = source.version): Source {
  const history = source.history;
  if (!history || version === undefined) return source;
  const release = resolveRelease(history, version);
  if (!release) return source;
  const metrics = source.metrics.map((m) => familyAt(m, history, release));
  return metrics.every((m, i) => m === source.metrics[i]) ? source : { ...source, version: release, metrics };
}
