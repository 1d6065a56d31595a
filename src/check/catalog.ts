import type { Check } from './check.ts';
import type { Diagnostics } from '../model/diagnostics.ts';
import type { Source } from '../model/catalog.ts';
import { releaseIndex } from '../model/catalog-versions.ts';
import { locate, type Located } from '../model/model.ts';

/** The catalog itself: one definition per metric name, and replacements that exist (jobs: wiring.ts). */
export const checkCatalog: Check = (model, diagnostics) => {
  const metricOwner = new Map<string, { source: string; definition: string }>();
  for (const item of model.specs.source) {
    const source = item.value;
    source.metrics.forEach((m, i) => {
      const previous = metricOwner.get(m.name);
      const definition = JSON.stringify(m);
      // Deployments of one source share identical families; only a second, different definition clashes.
      if (previous && previous.definition !== definition)
        diagnostics.error('catalog/duplicate-metric', locate(item, `metrics[${i}].name`), `metric \`${m.name}\` is also defined by source ${previous.source}`, 'define each metric family once, in the source that emits it');
      if (!previous) metricOwner.set(m.name, { source: source.name, definition });
    });
  }
  for (const item of model.specs.source) {
    item.value.metrics.forEach((m, i) => {
      if (m.renamedTo && !model.catalog.family(m.renamedTo))
        diagnostics.error('catalog/unknown-replacement', locate(item, `metrics[${i}].renamedTo`), `\`${m.name}\` names \`${m.renamedTo}\` as its replacement, which is not in the catalog`, 'point renamedTo at a current catalog metric');
      if (m.renamedTo && !m.removedIn && !m.deprecated)
        diagnostics.warning('catalog/rename-without-version', locate(item, `metrics[${i}]`), `\`${m.name}\` is renamed but has neither \`deprecated\` nor \`removedIn\``, 'state the version that deprecated or removed it');
    });
  }
  const historiesSeen = new Set<string>();
  for (const item of model.specs.source) {
    checkPin(item, diagnostics);
    const key = JSON.stringify(item.value.history ?? null);
    if (!historiesSeen.has(key)) checkHistory(item, diagnostics);
    historiesSeen.add(key);
  }
};

/** A deployment's `version` names a release its source's history knows. */
function checkPin(item: Located<Source>, diagnostics: Diagnostics): void {
  const { name, version, history } = item.value;
  if (version === undefined) return;
  if (!history)
    diagnostics.error('catalog/unknown-version', locate(item, 'version'), `source ${name} records no release history, so it cannot pin \`${version}\``, 'drop `version`, or give the source a `history` of its releases');
  else if (releaseIndex(history, version) === undefined)
    diagnostics.error('catalog/unknown-version', locate(item, 'version'), `\`${version}\` is no release of ${history.upstream} the catalog has read`, `pin one of ${history.releases.join(', ')}`);
}

/** Every change names a family of the source and a known release, and agrees with the family's own since/removedIn/renamedTo. */
function checkHistory(item: Located<Source>, diagnostics: Diagnostics): void {
  const { history, metrics } = item.value;
  if (!history) return;
  const releases = `use one of ${history.releases.join(', ')}`;
  const current = releaseIndex(history, history.current);
  if (current === undefined) diagnostics.error('catalog/history-unknown-release', locate(item, 'history.current'), `current release \`${history.current}\` is not in \`releases\``, releases);
  history.changes.forEach((c, i) => {
    const at = (field: string) => locate(item, `history.changes[${i}].${field}`);
    const family = metrics.find((m) => m.name === c.family);
    if (!family) {
      diagnostics.error('catalog/history-unknown-family', at('family'), `the history changes \`${c.family}\`, which the source does not define`, 'name a family of this source; keep a removed family in `metrics` with `removedIn`');
      return;
    }
    const when = releaseIndex(history, c.version);
    if (when === undefined) {
      diagnostics.error('catalog/history-unknown-release', at('version'), `release \`${c.version}\` is not in \`releases\``, releases);
      return;
    }
    const same = (field: string | undefined) => field !== undefined && releaseIndex(history, field) === when;
    const gone = c.change === 'removed' || c.change === 'renamed';
    const disagrees =
      (gone && current !== undefined && when <= current && !same(family.removedIn)) ||
      (c.change === 'renamed' && family.renamedTo !== undefined && family.renamedTo !== c.to) ||
      (c.change === 'added' && family.since !== undefined && !same(family.since));
    if (disagrees)
      diagnostics.error(
        'catalog/history-mismatch',
        at('version'),
        `the history ${c.change === 'added' ? 'adds' : 'removes'} \`${c.family}\` in ${c.version}, but its entry says ${c.change === 'added' ? `since ${family.since}` : `removedIn ${family.removedIn ?? '(none)'}${family.renamedTo ? `, renamedTo ${family.renamedTo}` : ''}`}`,
        'make the family entry and its history name the same release and replacement',
      );
  });
}
