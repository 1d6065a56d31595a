import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ruleEnvelopes, type OutputRuleGroup } from '../../generators/prometheus-rules/envelopes.ts';
import { checkObjectSizes, kubernetesObjects } from '../../src/emit/object-size-check.ts';
import { generatedHeader, isKubernetesManifest } from '../../src/conventions.ts';
import { artifactText } from '../../src/emit/render.ts';
import { toYaml } from '../../src/emit/serialize.ts';
import { EmbeddedDocument, type Artifact, type YamlDocumentsArtifact } from '../../src/model/artifact.ts';
import { Diagnostics } from '../../src/model/diagnostics.ts';
import {
  ANNOTATIONS_LIMIT_BYTES,
  LAST_APPLIED_ANNOTATION,
  OBJECT_LIMIT_BYTES,
  goJsonByteRange,
  goJsonBytes,
  goJsonBytesWithin,
  goJsonTextBytes,
  objectSize,
  type KubernetesObjectSize,
  type SizedObject,
} from '../../src/model/object-size.ts';
import { buildModel, checkArtifacts, generateArtifacts } from '../../src/pipeline.ts';
import { MODELS_PER_SLO_SERVICE, writeScaleSpecs, type ScaleSpecs } from '../../bench/scale-specs.ts';
import { sloArtifacts } from '../../generators/slo/index.ts';
import type { Plan } from '../../src/plan/index.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { projectModel, withStack } from './wiring-fixture.ts';

const at = { file: 'specs/x.ts', path: 'x' };

/** A rule group of `rules` alerts with long expressions (`>` is six bytes in the annotation). */
function group(name: string, rules: number): OutputRuleGroup {
  return {
    name,
    rules: Array.from({ length: rules }, (_, i) => ({ alert: `Alert${i}`, expr: `sum(rate(some_requests_total{model="${name}-${i}"}[5m])) > ${'1'.repeat(200)}` })),
  };
}

type Measured = Pick<KubernetesObjectSize, 'kind' | 'name' | 'bytes' | 'annotationBytes'>;

const measures = ({ kind, name, bytes, annotationBytes }: KubernetesObjectSize): Measured => ({ kind, name, bytes, annotationBytes });

/** The objects of a file as parsed back from its text, measured the same way. */
function measuredFromText(body: string): Measured[] {
  return parseAllDocuments(body).map((doc) => measures(objectSize(doc.toJS() as SizedObject, at)));
}

/** The objects of a file as the size check measures them, from its documents. */
function measuredFromDocuments(artifact: Artifact): Measured[] {
  return kubernetesObjects(artifact).map(measures);
}

const asFile = (path: string, part: Omit<YamlDocumentsArtifact, 'path'>): YamlDocumentsArtifact => ({ path, ...part });

/** JSON documents whose strings hold every character Go's encoder treats apart: escaped, multi-byte, lone surrogates. */
const jsonText = fc.string({ unit: fc.constantFrom('a', 'ü', '<', '>', '&', '"', '\\', '\n', '\u2028', '\ud800', '\u{1F600}') });
const jsonLeaf = fc.oneof(jsonText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined));
const { jsonValue } = fc.letrec((tie) => ({
  jsonValue: fc.oneof({ depthSize: 'small', maxDepth: 7 }, jsonLeaf, fc.array(tie('jsonValue')), fc.dictionary(jsonText, tie('jsonValue'))),
}));
const jsonDocument = fc.dictionary(jsonText, jsonValue);

describe('object size', () => {
  it('counts JSON the way Go writes it into the last-applied annotation', () => {
    expect(goJsonBytes({ expr: 'a > 1 & b < 2' })).toBe(Buffer.byteLength('{"expr":"a \\u003e 1 \\u0026 b \\u003c 2"}'));
    expect(goJsonBytes({ text: 'ünï\u2028' })).toBe(Buffer.byteLength('{"text":"ünï\\u2028"}'));
    const object = { kind: 'ConfigMap', metadata: { name: 'x', annotations: { folder: 'Inference' } }, data: { a: 'b' } };
    const json = Buffer.byteLength(JSON.stringify(object));
    expect(objectSize(object, at)).toMatchObject({ bytes: json, annotationBytes: 'folder'.length + 'Inference'.length + LAST_APPLIED_ANNOTATION.length + json + 1 });
  });

  it('adds up the parts of a value to the bytes of its whole JSON text', () => {
    fc.assert(
      fc.property(jsonDocument, (document) => {
        expect(goJsonBytes(document)).toBe(goJsonTextBytes(JSON.stringify(document)));
      }),
      { numRuns: 500 },
    );
  });

  it('bounds the bytes from string lengths alone, and the bounds hold the exact count', () => {
    expect(goJsonByteRange({ a: 'xy', b: [1, null] })).toEqual({ least: 23, most: 43 });
    fc.assert(
      fc.property(jsonDocument, (document) => {
        const { least, most } = goJsonByteRange(document);
        const exact = goJsonTextBytes(JSON.stringify(document));
        expect(least).toBeLessThanOrEqual(exact);
        expect(most).toBeGreaterThanOrEqual(exact);
      }),
      { numRuns: 500 },
    );
  });

  it('settles whether a value is within a limit from its bounds where they agree, and measures it where not', () => {
    const value = { expr: 'a > b'.repeat(100) };
    const exact = goJsonBytes({ ...value });
    expect(goJsonBytesWithin({ ...value }, exact)).toBe(true);
    expect(goJsonBytesWithin({ ...value }, exact - 1)).toBe(false);
    expect(goJsonBytesWithin({ ...value }, goJsonByteRange(value).most)).toBe(true);
    expect(goJsonBytesWithin({ ...value }, goJsonByteRange(value).least - 1)).toBe(false);
  });
});

describe('PrometheusRule envelopes', () => {
  it('keep a file that fits in one PrometheusRule, measured as its text reads back', async () => {
    const { stack } = await projectModel();
    const { prometheusRules } = ruleEnvelopes('small', [group('a', 3), group('b', 3)], stack.value, ['specs/x.ts']);
    const file = asFile('kubernetes/prometheus-rules/small.yaml', prometheusRules);
    expect(file.documents).toHaveLength(1);
    expect(measuredFromDocuments(file)).toEqual(measuredFromText(artifactText(file)));
  });

  it('give each group its own PrometheusRule once the file is over the limit, every one under it', async () => {
    const { stack } = await projectModel();
    const groups = Array.from({ length: 6 }, (_, i) => group(`models.group-${i}`, 200));
    const at = groups.map((_, i) => ({ file: 'specs/alerts/models.ts', path: `groups[${i}]` }));
    const { ruleFile, prometheusRules } = ruleEnvelopes('models', groups, stack.value, ['specs/alerts/models.ts'], at);
    const file = asFile('kubernetes/prometheus-rules/models.yaml', prometheusRules);
    const fromText = measuredFromText(artifactText(file));
    expect(fromText).toHaveLength(groups.length);
    expect(measuredFromDocuments(file)).toEqual(fromText);
    expect(new Set(fromText.map((o) => o.name)).size).toBe(groups.length);
    for (const o of fromText) expect(o.annotationBytes).toBeLessThanOrEqual(ANNOTATIONS_LIMIT_BYTES);
    expect(kubernetesObjects(file).map((o) => o.at.path)).toEqual(at.map((a) => a.path));
    expect(artifactText({ path: 'prometheus/rules/models.yml', ...ruleFile })).toBe(generatedHeader(stack.value, ['specs/alerts/models.ts']) + toYaml({ groups }));
  });
});

/** A ConfigMap of about `bytes`; `located` gives it the spec it came from, as generators do for their objects. */
function oversized(kind: string, bytes: number, located: boolean): Artifact {
  const object = { apiVersion: 'v1', kind, metadata: { name: `big-${bytes}` }, data: { 'x.json': 'x'.repeat(bytes) } };
  return { path: `kubernetes/big/${bytes}.yaml`, format: 'yaml-documents', documents: [object], ...(located ? { origins: [at] } : {}) };
}

describe('kubernetes/object-too-large', () => {
  it('warns above the last-applied limit and fails above 1 MiB, at the spec, with a fix', () => {
    const d = new Diagnostics();
    checkObjectSizes([oversized('ConfigMap', 100_000, true), oversized('ConfigMap', 300_000, true), oversized('ConfigMap', OBJECT_LIMIT_BYTES + 1, true)], d);
    expect(d.items.map((i) => [i.code, i.severity])).toEqual([
      ['kubernetes/object-too-large', 'warning'],
      ['kubernetes/object-too-large', 'error'],
    ]);
    expect(d.items[0]).toMatchObject(at);
    expect(d.items[0]!.message).toContain('kubernetes/big/300000.yaml');
    expect(d.items[0]!.fix).toMatch(/server-side/);
  });

  it('points at the file where no spec is named, and leaves files outside the manifests alone', () => {
    const d = new Diagnostics();
    const unlocated = oversized('ConfigMap', 300_000, false);
    checkObjectSizes([unlocated, { ...unlocated, path: 'grafana/dashboards/big.json' }], d);
    expect(d.items.map((i) => `${i.code} ${i.file}: ${i.path}`)).toEqual([`kubernetes/object-too-large ${unlocated.path}: ConfigMap/big-300000`]);
  });

  it('counts a document embedded in a ConfigMap as the text it is written as', () => {
    const dashboard = { panels: Array.from({ length: 2_000 }, (_, i) => ({ id: i, title: `panel ${i} <with> & escapes`, targets: [{ expr: `up{job="j${i}"} > 0` }] })) };
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dashboard' }, data: { 'd.json': new EmbeddedDocument('json', dashboard) } };
    const file: Artifact = { path: 'kubernetes/grafana-dashboards/d.yaml', format: 'yaml-documents', documents: [configMap], origins: [at] };
    const [measured] = measuredFromDocuments(file);
    expect(measured).toEqual(measuredFromText(artifactText(file))[0]);
    expect(measured!.bytes).toBeGreaterThan(goJsonBytes(dashboard));
    const d = new Diagnostics();
    checkObjectSizes([file], d);
    expect(d.items.map((i) => i.severity)).toEqual(['warning']);
  });
});

describe('the 1,000-model platform', () => {
  let specs: ScaleSpecs;
  let model: Plan;
  let artifacts: Artifact[];
  beforeAll(async () => {
    specs = writeScaleSpecs(1000);
    model = (await buildModel(specs.dir, PROJECT_ROOT)).model!;
    artifacts = generateArtifacts(model);
  });
  afterAll(() => rmSync(specs.dir, { recursive: true, force: true }));

  it('has no Kubernetes object over the 262,144 bytes of client-side kubectl apply', () => {
    const manifests = artifacts.filter((a) => isKubernetesManifest(a.path));
    expect(manifests.length).toBeGreaterThan(20);
    for (const a of manifests) {
      // Each YAML document is one measured object.
      const objects = kubernetesObjects(a);
      if (a.format === 'yaml-documents') expect(objects.length, a.path).toBe(artifactText(a).split(/^---$/m).length);
      for (const o of objects) expect(o.annotationBytes, `${a.path} ${o.kind} ${o.name}`).toBeLessThanOrEqual(ANNOTATIONS_LIMIT_BYTES);
    }
    expect(checkArtifacts(artifacts).items.filter((d) => d.code === 'kubernetes/object-too-large')).toEqual([]);
  });

  it('gives the Sloth operator one PrometheusServiceLevel per SLO, so neither the CRs nor the rules Sloth writes grow past the limit', () => {
    const crs = sloArtifacts(withStack(model, { targets: { ...model.stack.value.targets, slo: 'sloth-operator' } })).filter((a) => isKubernetesManifest(a.path));
    expect(crs.length).toBe(model.specs.slos.length);
    for (const a of crs) expect(kubernetesObjects(a).length, a.path).toBe(MODELS_PER_SLO_SERVICE);
    expect(checkArtifacts(crs).items).toEqual([]);
  });

  it('measures the objects of its largest file as their text reads back', () => {
    const [largest] = artifacts
      .filter((a) => isKubernetesManifest(a.path))
      .map((a) => ({ artifact: a, text: artifactText(a) }))
      .sort((a, b) => b.text.length - a.text.length);
    expect(measuredFromDocuments(largest!.artifact)).toEqual(measuredFromText(largest!.text));
  });
});
