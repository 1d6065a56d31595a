import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { kustomizationArtifact } from '../../generators/kubernetes/kustomization.ts';
import { scrapeWiring } from '../../generators/kubernetes/scrape-wiring.ts';
import { KUBE_PROMETHEUS_STACK_VALUES, KUSTOMIZATION } from '../../src/conventions.ts';
import { projectModel } from './wiring-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'infermon-kustomize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kustomization', () => {
  it('lists every generated object under out/kubernetes, sorted, without the values file', async () => {
    const { stack } = await projectModel();
    const artifact = kustomizationArtifact(['b/x.yaml', 'kubernetes/a/y.yaml', 'kube-prometheus-stack-values.yaml', 'kustomization.yaml', 'a/z.yml', 'notes.md'], stack.value);
    expect(artifact.path).toBe(KUSTOMIZATION);
    expect((parse(artifact.body) as { resources: string[] }).resources).toEqual(['a/y.yaml', 'a/z.yml', 'b/x.yaml']);
  });

  it('builds with kubectl kustomize over the generated tree', async () => {
    const model = await projectModel();
    const artifacts = scrapeWiring.flatMap((generate) => generate(model)).filter((a) => a.path.startsWith('kubernetes/'));
    expect(artifacts.some((a) => a.path === KUBE_PROMETHEUS_STACK_VALUES)).toBe(true);
    const all = [...artifacts, kustomizationArtifact(artifacts.map((a) => a.path.slice('kubernetes/'.length)), model.stack.value)];
    for (const a of all) {
      mkdirSync(dirname(join(dir, a.path)), { recursive: true });
      writeFileSync(join(dir, a.path), a.body);
    }
    const result = spawnSync('kubectl', ['kustomize', join(dir, 'kubernetes')], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const kinds = parseAllDocuments(result.stdout).map((d) => (d.toJS() as { kind: string }).kind).sort();
    expect(kinds).toContain('ServiceMonitor');
    expect(kinds).toContain('PodMonitor');
    expect(kinds).toContain('AlertmanagerConfig');
    expect(kinds).toHaveLength(artifacts.length - 1);
  });
});
