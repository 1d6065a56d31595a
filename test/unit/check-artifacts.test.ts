import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { isKubernetesManifest } from '../../src/conventions.ts';
import { artifactText } from '../../src/emit/render.ts';
import type { Artifact } from '../../src/model/artifact.ts';
import type { Plan } from '../../src/plan/index.ts';
import { buildModel, generateArtifacts } from '../../src/pipeline.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

/**
 * `check` generates without the documentation pages. That is safe only while they hold nothing the
 * checks over generated artifacts read: the Kubernetes objects whose sizes they measure.
 */
const checked = (artifacts: readonly Artifact[]) =>
  artifacts.filter((a) => a.format === 'yaml-documents' || isKubernetesManifest(a.path)).map((a) => ({ path: a.path, text: artifactText(a) }));

let model: Plan;

beforeAll(async () => {
  model = (await buildModel(join(PROJECT_ROOT, 'specs'), PROJECT_ROOT)).model!;
});

describe('generation for check', () => {
  it('yields every artifact the artifact checks read, byte for byte', () => {
    const all = generateArtifacts(model);
    const forCheck = generateArtifacts(model, { documentation: false });
    expect(checked(all).length).toBeGreaterThan(0);
    expect(checked(forCheck)).toEqual(checked(all));
  });

  it('leaves out the documentation pages alone', () => {
    const forCheck = new Set(generateArtifacts(model, { documentation: false }).map((a) => a.path));
    const left = generateArtifacts(model).filter((a) => !forCheck.has(a.path)).map((a) => a.path);
    expect(left.length).toBeGreaterThan(0);
    expect(left.filter((p) => !p.startsWith('docs/'))).toEqual([]);
  });
});
