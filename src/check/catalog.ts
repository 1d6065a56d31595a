import type { Check } from './check.ts';
import { locate } from '../model/model.ts';

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
};
