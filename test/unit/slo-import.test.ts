import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../support/paths.ts';
import { specFixture } from '../support/spec-fixture.ts';
import { buildModel, generateArtifacts } from '../../src/pipeline.ts';
import type { Plan } from '../../src/plan/index.ts';
import { OUT, fileStem } from '../../src/conventions.ts';
import { parseSlothYaml, type ParsedSlothService } from '../../src/import/sloth-parse.ts';
import { SlothImportError, importSloth } from '../../src/import/sloth.ts';
import { slothSlosFromParsed } from '../../src/import/sloth-slos.ts';
import { slothSlos } from '../../src/slo/sloth-slo.ts';
import { SLOTH_CLI_K8S, SLOTH_CLI_PROM, SLOTH_VERSION } from '../../src/slo/names.ts';
import { slothRuleGroups } from '../../generators/slo/sloth-rules.ts';
import { slothCliPrometheusRule, slothCliRules } from '../../src/emit/sloth-cli.ts';
import { ruleEnvelopes } from '../../generators/prometheus-rules/envelopes.ts';
import { maybeText } from '../support/artifacts.ts';
import { artifactText } from '../../src/emit/render.ts';

/**
 * `infermon import sloth`: Sloth inputs become a spec file that the real loader reads and the real
 * generators turn into the rules Sloth generated from the originals, byte for byte.
 */
const GOLDEN = join(PROJECT_ROOT, 'test', 'golden', 'slo');
const golden = (name: string): string => readFileSync(join(GOLDEN, name), 'utf8');

/** Two services in one file: a prometheus/v1 spec and a PrometheusServiceLevel, labels at every level. */
const MULTI_DOCUMENT = `version: "prometheus/v1"
service: "checkout"
labels:
  team: payments
slos:
  - name: "api-availability"
    objective: 99.5
    description: "Checkout API calls that do not fail."
    labels:
      tier: "1"
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="checkout"}[{{.window}}]))
    alerting:
      name: CheckoutAvailabilityBurn
      labels:
        category: availability
      annotations:
        runbook: https://runbooks.example.com/checkout
      page_alert:
        labels:
          severity: critical
        annotations:
          summary: Checkout is burning its error budget fast.
      ticket_alert:
        disable: true
---
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata:
  name: search
  namespace: search-prod
spec:
  service: search
  labels:
    team: discovery
  slos:
    - name: query-ratio
      objective: 99.95
      labels:
        tier: "2"
      sli:
        raw:
          errorRatioQuery: |
            sum(rate(search_queries_failed_total[{{.window}}]))
            /
            sum(rate(search_queries_total[{{.window}}]))
      alerting:
        name: SearchErrorBudgetBurn
        pageAlert:
          disable: true
        ticketAlert:
          labels:
            severity: warning
            channel: "#search"
          annotations:
            title: Search burns its error budget.
`;

const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

async function loadImported(text: string): Promise<Plan> {
  const dir = specFixture({ 'slos-imported.ts': text });
  tempDirs.push(dir);
  const { model, diagnostics } = await buildModel(dir, dir);
  expect(diagnostics.items).toEqual([]);
  return model!;
}

function importedSpec(file: string, text: string): string {
  return importSloth([{ file, text }]).text;
}

/** Rules file infermon writes for one service, and the same file made from the Sloth original. */
function rulesFiles(model: Plan, original: ParsedSlothService): { generated: string | undefined; expected: string } {
  const located = model.specs.slos.find((s) => s.value.service === original.service)!;
  const path = `${OUT.prometheusRules}/slo-${fileStem(original.service)}.yml`;
  const generated = maybeText(generateArtifacts(model).find((a) => a.path === path));
  const groups = slothRuleGroups(slothSlosFromParsed(original), SLOTH_CLI_PROM);
  const expected = artifactText({ path, ...ruleEnvelopes(`slo-${fileStem(original.service)}`, groups, model.stack.value, [located.file]).ruleFile });
  return { generated, expected };
}

function cli(args: string[]) {
  const tsx = join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  return spawnSync(process.execPath, [tsx, '--conditions=infermon-source', join(PROJECT_ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });
}

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'infermon-sloth-'));
  tempDirs.push(dir);
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('importing Sloth specs: round trip through the spec loader and the generators', () => {
  it('a prometheus/v1 spec generates rules byte-identical to Sloth\'s golden output', async () => {
    const input = 'events-availability.in.yaml';
    const text = golden(input);
    const spec = importedSpec(input, text);
    expect(spec).toContain("kind: 'ratio'");
    const model = await loadImported(spec);
    const [original] = parseSlothYaml(text, input);
    const groups = slothRuleGroups(slothSlos(model.specs.slos[0]!.value, model.stack.value.prometheusMajor), SLOTH_CLI_PROM);
    expect(slothCliRules(groups, SLOTH_VERSION)).toBe(golden('events-availability-30d.out.yaml'));
    const { generated, expected } = rulesFiles(model, original!);
    expect(generated).toBe(expected);
  });

  it('a PrometheusServiceLevel CR generates the PrometheusRule Sloth printed for it', async () => {
    const input = 'events-availability-k8s.in.yaml';
    const text = golden(input);
    const model = await loadImported(importedSpec(input, text));
    const [original] = parseSlothYaml(text, input);
    const groups = slothRuleGroups(slothSlos(model.specs.slos[0]!.value, model.stack.value.prometheusMajor), SLOTH_CLI_K8S);
    expect(slothCliPrometheusRule(groups, SLOTH_VERSION, original!.metadata!.name, original!.metadata!.namespace!)).toBe(
      golden('events-availability-k8s-30d.out.yaml'),
    );
    const { generated, expected } = rulesFiles(model, original!);
    expect(generated).toBe(expected);
  });

  it('a raw SLI with a block-scalar query and both alerts disabled stays raw and exact', async () => {
    const input = 'raw-no-alerts.in.yaml';
    const text = golden(input);
    const spec = importedSpec(input, text);
    expect(spec).toContain("kind: 'raw'");
    const model = await loadImported(spec);
    const groups = slothRuleGroups(slothSlos(model.specs.slos[0]!.value, model.stack.value.prometheusMajor), SLOTH_CLI_PROM);
    expect(slothCliRules(groups, SLOTH_VERSION)).toBe(golden('raw-no-alerts-30d.out.yaml'));
  });

  it('a multi-document file with a spec and a CR keeps every label, annotation and page/ticket setting', async () => {
    const model = await loadImported(importedSpec('multi.yaml', MULTI_DOCUMENT));
    const originals = parseSlothYaml(MULTI_DOCUMENT, 'multi.yaml');
    expect(model.specs.slos.map((s) => s.value.service)).toEqual(['checkout', 'search']);
    for (const original of originals) {
      const { generated, expected } = rulesFiles(model, original);
      expect(generated).toBe(expected);
      // The Sloth spec infermon writes reads back as the original SLOs.
      const slothSpec = generateArtifacts(model).find((a) => a.path === `${OUT.sloth}/${fileStem(original.service)}.yml`)!;
      const [reread] = parseSlothYaml(artifactText(slothSpec), slothSpec.path);
      expect(reread!.labels).toEqual(original.labels);
      expect(reread!.slos).toEqual(original.slos);
    }
  });

  it('documents of one service become one declaration, service labels moving onto SLOs when they differ', async () => {
    const a = 'version: prometheus/v1\nservice: svc\nlabels: {team: a}\nslos:\n  - name: one\n    objective: 99\n    sli: {raw: {error_ratio_query: "x[{{.window}}]"}}\n    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}\n';
    const b = 'version: prometheus/v1\nservice: svc\nlabels: {team: b}\nslos:\n  - name: two\n    objective: 99\n    labels: {team: own}\n    sli: {raw: {error_ratio_query: "y[{{.window}}]"}}\n    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}\n';
    const model = await loadImported(importSloth([{ file: 'a.yaml', text: a }, { file: 'b.yaml', text: b }]).text);
    expect(model.specs.slos).toHaveLength(1);
    const service = model.specs.slos[0]!.value;
    expect(service.labels).toEqual({});
    expect(service.slos.map((s) => s.labels)).toEqual([{ team: 'a' }, { team: 'own' }]);
  });
});

describe('infermon import sloth (command line)', () => {
  it('writes a spec file with --out that the loader reads from a spec directory', async () => {
    const input = join(GOLDEN, 'events-availability.in.yaml');
    const dir = specFixture({});
    tempDirs.push(dir);
    const out = join(dir, 'slos-imported.ts');
    const r = cli(['import', 'sloth', input, '--out', out]);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    const { model, diagnostics } = await buildModel(dir, dir);
    expect(diagnostics.items).toEqual([]);
    expect(model!.specs.slos[0]!.value.slos[0]!.name).toBe('requests-availability');
  });

  it('prints the spec to stdout, with a period option and a warning for alerts without a severity label', () => {
    const file = tempFile(
      'no-severity.yaml',
      'version: prometheus/v1\nservice: svc\nslos:\n  - name: avail\n    objective: 99.9\n    sli:\n      events:\n        error_query: sum(rate(e[{{.window}}]))\n        total_query: sum(rate(t[{{.window}}]))\n    alerting:\n      name: SvcBurn\n      ticket_alert: {disable: true}\n',
    );
    const r = cli(['import', 'sloth', file, '--period', '28d']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('export const svcSlos = defineSlos({');
    expect(r.stdout).toContain("period: '28d',");
    expect(r.stderr).toContain('slos[0].alerting.page_alert: no `severity` label; infermon adds `severity: critical`');
    expect(r.stderr).not.toContain('ticket_alert');
  });

  it.each([
    [
      'a misspelt key',
      'version: prometheus/v1\nservice: svc\nslos:\n  - name: slo-a\n    objective: 99\n    sli: {raw: {error_ratio_query: "x[{{.window}}]"}}\n    alerting: {name: A, tiket_alert: {disable: true}}\n',
      'bad.yaml: slos[0].alerting.tiket_alert: unknown key',
    ],
    [
      'a query without {{.window}}',
      'version: prometheus/v1\nservice: svc\nslos:\n  - name: slo-a\n    objective: 99\n    sli:\n      events: {error_query: "sum(rate(e[5m]))", total_query: "sum(rate(t[{{.window}}]))"}\n    alerting: {name: A}\n',
      'bad.yaml: slos[0].sli.events.error_query: the query needs `{{.window}}`',
    ],
    [
      'a reserved label in a CR',
      'apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\nmetadata: {name: x}\nspec:\n  service: svc\n  slos:\n    - name: slo-a\n      objective: 99\n      labels: {sloth_id: mine}\n      sli: {raw: {errorRatioQuery: "x[{{.window}}]"}}\n      alerting: {name: A, pageAlert: {labels: {severity: critical}}, ticketAlert: {disable: true}}\n',
      'bad.yaml: spec.slos[0].labels.sloth_id: `sloth_*` labels are reserved',
    ],
    [
      'a missing SLI in the second document',
      'version: prometheus/v1\nservice: one\nslos:\n  - name: slo-a\n    objective: 99\n    sli: {raw: {error_ratio_query: "x[{{.window}}]"}}\n    alerting: {name: A}\n---\nversion: prometheus/v1\nservice: two\nslos:\n  - name: slo-b\n    objective: 99\n    alerting: {name: B}\n',
      'bad.yaml (document 2): slos[0].sli is required',
    ],
    [
      'an objective of 100',
      'version: prometheus/v1\nservice: svc\nslos:\n  - name: slo-a\n    objective: 100\n    sli: {raw: {error_ratio_query: "x[{{.window}}]"}}\n    alerting: {name: A}\n',
      'bad.yaml: slos[0].objective: objective 100 is outside 0 < objective < 100',
    ],
    [
      'an SLO plugin chain',
      'version: prometheus/v1\nservice: svc\nslos:\n  - name: slo-a\n    objective: 99\n    plugins: {chain: [{id: sloth.dev/contrib/info_labels/v1}]}\n    sli: {raw: {error_ratio_query: "x[{{.window}}]"}}\n    alerting: {name: A}\n',
      'bad.yaml: slos[0].plugins: SLO plugins change the generated rules',
    ],
  ])('rejects %s with the file and key path, exit code 1', (_title, text, message) => {
    const file = tempFile('bad.yaml', text);
    const r = cli(['import', 'sloth', file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.replaceAll(`${dirname(file)}/`, '')).toContain(`error: ${message}`);
  });

  it('reports every problem of every file at once', () => {
    expect(() =>
      importSloth([
        { file: 'a.yaml', text: 'version: prometheus/v1\nservice: s\nslos:\n  - name: slo-a\n    objectve: 99\n    sli: {}\n' },
        { file: 'b.yaml', text: 'kind: Deployment\n' },
      ]),
    ).toThrow(SlothImportError);
    try {
      importSloth([
        { file: 'a.yaml', text: 'version: prometheus/v1\nservice: s\nslos:\n  - name: slo-a\n    objectve: 99\n    sli: {}\n' },
        { file: 'b.yaml', text: 'kind: Deployment\n' },
      ]);
    } catch (err) {
      expect((err as SlothImportError).problems).toEqual([
        'a.yaml: slos[0].objectve: unknown key (expected one of: name, description, objective, labels, plugins, sli, alerting)',
        'b.yaml: neither a Sloth prometheus/v1 spec nor a sloth.slok.dev/v1 PrometheusServiceLevel',
      ]);
    }
  });
});
