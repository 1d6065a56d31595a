import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { kustomizationArtifact } from '../../generators/kubernetes/kustomization.ts';
import { KUSTOMIZATION } from '../../src/conventions.ts';
import type { Plan } from '../../src/plan/index.ts';
import type { Targets } from '../../src/model/targets.ts';
import { buildModel, generateArtifacts } from '../../src/pipeline.ts';
import { CORE_KINDS, crdKinds, servedKind, type ServedKind } from '../support/crds.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { SCHEMAS_MISSING_REASON, schemasAvailable } from '../support/schemas.ts';
import { projectModel, withStack } from './wiring-fixture.ts';
import { artifactText } from '../../src/emit/render.ts';

const dir = mkdtempSync(join(tmpdir(), 'infermon-kustomize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kustomization', () => {
  it('lists every generated object under out/kubernetes, sorted, without the values file', async () => {
    const { stack } = await projectModel();
    const artifact = kustomizationArtifact(['b/x.yaml', 'kubernetes/a/y.yaml', 'kube-prometheus-stack-values.yaml', 'kustomization.yaml', 'a/z.yml', 'notes.md'], stack.value);
    expect(artifact.path).toBe(KUSTOMIZATION);
    expect((parse(artifactText(artifact)) as { resources: string[] }).resources).toEqual(['a/y.yaml', 'a/z.yml', 'b/x.yaml']);
  });
});

interface TargetCase {
  targets: Targets;
  /** Folders under ../shared/schemas whose CRDs the cluster has. */
  crds: string[];
}

const CASES: TargetCase[] = [
  { targets: { prometheus: ['kube-prometheus-stack', 'plain'], slo: 'native', loki: 'plain', logShippers: ['alloy', 'promtail'] }, crds: ['prometheus-operator/crds'] },
  { targets: { prometheus: ['kube-prometheus-stack'], slo: 'sloth-operator', loki: 'helm', logShippers: ['alloy'] }, crds: ['prometheus-operator/crds', 'sloth'] },
  { targets: { prometheus: ['prometheus-operator'], slo: 'native', loki: 'helm', logShippers: ['promtail'] }, crds: ['prometheus-operator/crds'] },
  { targets: { prometheus: ['prometheus-operator', 'plain'], slo: 'sloth-operator', loki: 'plain', logShippers: [] }, crds: ['prometheus-operator/crds', 'sloth'] },
  { targets: { prometheus: ['plain'], slo: 'native', loki: 'helm', logShippers: ['alloy'] }, crds: [] },
  { targets: { prometheus: ['plain'], slo: 'native', loki: 'plain', logShippers: ['alloy'] }, crds: [] },
];

interface BuiltObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: { groups?: Array<{ name: string }> };
}

/** The generated out/kubernetes of a model, written to its own folder and built by `kubectl kustomize`. */
function kustomizeBuild(model: Plan, name: string): { objects: BuiltObject[]; stderr: string; status: number | null } {
  const root = join(dir, name);
  for (const a of generateArtifacts(model).filter((a) => a.path.startsWith('kubernetes/'))) {
    mkdirSync(dirname(join(root, a.path)), { recursive: true });
    writeFileSync(join(root, a.path), artifactText(a));
  }
  const result = spawnSync('kubectl', ['kustomize', join(root, 'kubernetes')], { encoding: 'utf8' });
  return { objects: parseAllDocuments(result.stdout).map((d) => d.toJS() as BuiltObject), stderr: result.stderr, status: result.status };
}

const isNativeSloGroup = (group: { name: string }) => group.name.startsWith('sloth-slo-');

describe.skipIf(!schemasAvailable)('out/kubernetes for each target', () => {
  let model: Plan;
  beforeAll(async () => {
    if (!schemasAvailable) console.warn(SCHEMAS_MISSING_REASON);
    const built = await buildModel(join(PROJECT_ROOT, 'specs'), PROJECT_ROOT);
    model = built.model!;
  });

  for (const c of CASES) {
    const label = `prometheus ${c.targets.prometheus.join('+')}, slo ${c.targets.slo}, loki ${c.targets.loki}`;
    it(`${label}: kubectl kustomize builds it, using only kinds the cluster's CRDs serve, and SLOs apply once`, () => {
      const { objects, stderr, status } = kustomizeBuild(withStack(model, { targets: c.targets }), label.replace(/[^a-z0-9]+/g, '-'));
      expect(status, stderr).toBe(0);
      const served = new Set<ServedKind>([...CORE_KINDS, ...c.crds.flatMap((folder) => [...crdKinds(folder)])]);
      const unserved = objects.map((o) => servedKind(o.apiVersion, o.kind)).filter((k) => !served.has(k));
      expect([...new Set(unserved)], 'kinds the cluster has no CRD for').toEqual([]);
      expect(objects.some((o) => o.kind === 'ConfigMap')).toBe(true);

      const serviceLevels = objects.filter((o) => o.kind === 'PrometheusServiceLevel');
      const nativeSloRules = objects.filter((o) => o.kind === 'PrometheusRule' && (o.spec?.groups ?? []).some(isNativeSloGroup));
      if (c.targets.slo === 'sloth-operator') {
        expect(serviceLevels.length).toBeGreaterThan(0);
        expect(nativeSloRules.map((o) => o.metadata.name)).toEqual([]);
      } else {
        expect(serviceLevels.map((o) => o.metadata.name)).toEqual([]);
        expect(nativeSloRules.length > 0).toBe(c.crds.length > 0);
      }
    });
  }
});
