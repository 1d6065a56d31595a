import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll } from 'vitest';
import { buildModel, checkModel } from '../../src/pipeline.ts';
import type { UpgradeImpact } from '../../src/verify/upgrade.ts';
import { specFixture, src } from './spec-fixture.ts';

/** What the `check --upgrade` tests share: the example's sources with one deployed at a version, built models, impact lookup. */

/** Every source of the example platform but `source`, which is deployed from the catalog at `version`. */
export function sourcesWith(source: string, version: string): string {
  const others = ['arksGateway', 'blackbox', 'cadvisor', 'dcgm', 'k6', 'kthenaInference', 'kthenaRouter', 'kubeStateMetrics', 'moeRouter', 'otelGenAi', 'prometheus', 'ragBackend', 'sglang', 'vllm'];
  return `import { deploySource } from 'infermon';
import { ${source} as catalogSource } from 'infermon/catalog';
export { ${others.filter((s) => s !== source).join(', ')} } from ${src('specs/sources.ts')};
export const ${source} = deploySource(catalogSource, { version: '${version}' });
`;
}

/** Spec directories removed after the test file. */
export function upgradeFixtures(): (files: Record<string, string>) => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return (files) => {
    const dir = specFixture(files, { withCatalog: false });
    dirs.push(dir);
    return dir;
  };
}

export async function checkedModel(dir: string) {
  const { model, diagnostics } = await buildModel(dir, dirname(dir));
  if (!model) throw new Error(diagnostics.items.map((d) => d.message).join('\n'));
  checkModel(model, diagnostics);
  return { model, diagnostics };
}

export function impactOn(impacts: readonly UpgradeImpact[], kind: UpgradeImpact['kind'], name: string): UpgradeImpact {
  const found = impacts.find((i) => i.kind === kind && i.name === name);
  if (!found) throw new Error(`no impact on ${kind} ${name}; impacts: ${impacts.map((i) => `${i.kind} ${i.name}`).join(', ')}`);
  return found;
}
