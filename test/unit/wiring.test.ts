import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubePrometheusStackValuesGenerator } from '../../generators/kubernetes/kube-prometheus-stack-values.ts';
import { monitorsGenerator } from '../../generators/kubernetes/monitors.ts';
import { monitorObjects } from '../../src/model/monitors.ts';
import { localPrometheusConfig, prometheusConfigGenerator } from '../../generators/prometheus/config.ts';
import { checkDashboardAndSloJobs, checkJobMatchers, checkMonitorPorts, checkScrapeWiring } from '../../src/check/wiring.ts';
import { Diagnostics } from '../../src/model/diagnostics.ts';
import type { Plan } from '../../src/plan/index.ts';
import { runTool } from '../support/tools.ts';
import { SCHEMAS_MISSING_REASON, schemaErrors, schemasAvailable } from '../support/schemas.ts';
import { projectModel, withStack } from './wiring-fixture.ts';
import { artifactText } from '../../src/emit/render.ts';
import { toYaml } from '../../src/emit/serialize.ts';

let model: Plan;
let dir: string;
beforeAll(async () => {
  model = await projectModel();
  dir = mkdtempSync(join(tmpdir(), 'infermon-wiring-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RULES = 'groups:\n  - name: probe\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n';

/** `promtool check config` of the pinned Prometheus 3, Kubernetes service discovery included. */
function promtoolCheckConfig(file: string): string {
  const r = runTool('promtool', ['check', 'config', file]);
  if (r.status !== 0) throw new Error(r.stderr + r.stdout);
  return r.stdout + r.stderr;
}

function codes(d: Diagnostics): string[] {
  return d.items.map((i) => i.code);
}

describe('scrape targets', () => {
  it('derives ServiceMonitors where a Service exists and PodMonitors otherwise, with the catalog job', () => {
    const targets = model.scrapeTargets;
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) {
      expect(t.job).toBe(t.source.job);
      if (t.source.kubernetes) expect(t.monitor?.kind).toBe(t.source.kubernetes.serviceLabels ? 'ServiceMonitor' : 'PodMonitor');
      expect(t.targetLabels).toContain('job');
      expect(t.targetLabels).toContain('instance');
    }
  });

  it('gives every monitor the job relabeling, a named port and the workload namespace', () => {
    for (const { target, object } of monitorObjects(model.scrapeTargets, model.stack.value)) {
      const endpoints = (object.spec.endpoints ?? object.spec.podMetricsEndpoints) as Array<Record<string, unknown>>;
      expect(endpoints[0]!.port).toBe(target.source.port.name);
      expect(endpoints[0]!.relabelings).toEqual([{ action: 'replace', targetLabel: 'job', replacement: target.job }]);
      expect(object.spec.namespaceSelector).toEqual({ matchNames: [target.source.kubernetes!.namespace] });
    }
  });
});

describe.skipIf(!schemasAvailable)('schema conformance', () => {
  if (!schemasAvailable) console.warn(SCHEMAS_MISSING_REASON);
  it('ServiceMonitors and PodMonitors are valid against the strict CRD schemas', () => {
    const artifacts = monitorsGenerator(model);
    expect(artifacts.some((a) => a.path.startsWith('kubernetes/service-monitors/'))).toBe(true);
    expect(artifacts.some((a) => a.path.startsWith('kubernetes/pod-monitors/'))).toBe(true);
    for (const a of artifacts) {
      const doc = parse(artifactText(a)) as { kind: string };
      const schema = doc.kind === 'ServiceMonitor' ? 'servicemonitor.v1.strict.json' : 'podmonitor.v1.strict.json';
      expect(schemaErrors(`prometheus-operator/${schema}`, doc), a.path).toEqual([]);
    }
  });

  it('prometheus.yml is valid against the SchemaStore schema', () => {
    const [config] = prometheusConfigGenerator(model);
    expect(schemaErrors('schemastore/prometheus.json', parse(artifactText(config!)))).toEqual([]);
  });
});

describe('prometheus.yml', () => {
  it('passes promtool check config as written, Kubernetes service discovery and the rule files beside it', () => {
    const [config] = prometheusConfigGenerator(model);
    expect(artifactText(config!)).toContain('kubernetes_sd_configs');
    const promDir = join(dir, 'prometheus');
    mkdirSync(join(promDir, 'rules'), { recursive: true });
    writeFileSync(join(promDir, 'prometheus.yml'), artifactText(config!));
    writeFileSync(join(promDir, 'rules', 'probe.yml'), RULES);
    const out = promtoolCheckConfig(join(promDir, 'prometheus.yml'));
    expect(out).toContain('SUCCESS');
    expect(out).toMatch(/1 rule files found/);
  });

  it('has one job per scraped source named by its job label, federation, external labels and alerting', () => {
    const config = parse(artifactText(prometheusConfigGenerator(model)[0]!)) as Record<string, any>;
    const names = (config.scrape_configs as Array<{ job_name: string }>).map((j) => j.job_name);
    for (const t of model.scrapeTargets) expect(names).toContain(t.job);
    const federation = model.stack.value.plainPrometheus.federation;
    if (federation) {
      const job = config.scrape_configs.find((j: { job_name: string }) => j.job_name === federation.jobName);
      expect(job.metrics_path).toBe('/federate');
      expect(job.honor_labels).toBe(true);
    }
    expect(config.global.external_labels).toEqual(model.stack.value.externalLabels);
    expect(config.alerting.alertmanagers[0].static_configs[0].targets).toHaveLength(1);
    expect(config.rule_files).toEqual(['rules/*.yml']);
  });

  it('produces a local config that promtool accepts, with the same job names', () => {
    const targets = Object.fromEntries(model.scrapeTargets.map((t, i) => [t.source.name, [`127.0.0.1:${19100 + i}`]]));
    const [labelledSource] = Object.keys(targets);
    targets[labelledSource!] = ['127.0.0.1:19200', '127.0.0.1:19201'];
    writeFileSync(join(dir, 'local-rules.yml'), RULES);
    const body = toYaml(
      localPrometheusConfig(model, {
        targets,
        targetLabels: { [labelledSource!]: { '127.0.0.1:19201': { pod: 'vllm-1', namespace: 'inference' } } },
        ruleFiles: [join(dir, 'local-rules.yml')],
        alertmanager: '127.0.0.1:19093',
        scrapeInterval: '1s',
      }),
    );
    writeFileSync(join(dir, 'local.yml'), body);
    const result = runTool('promtool', ['check', 'config', join(dir, 'local.yml')]);
    expect(result.status, result.stderr + result.stdout).toBe(0);
    const config = parse(body) as { scrape_configs: Array<{ job_name: string; scrape_interval: string }> };
    expect(config.scrape_configs.map((j) => j.job_name).sort()).toEqual(model.scrapeTargets.map((t) => t.job).sort());
    expect(config.scrape_configs.every((j) => j.scrape_interval === '1s')).toBe(true);
    // Labels stand in for Kubernetes discovery on the target they are given for, and only there.
    const labelled = (parse(body) as { scrape_configs: Array<{ job_name: string; static_configs: unknown[] }> }).scrape_configs.find(
      (j) => j.job_name === model.scrapeTargets.find((t) => t.source.name === labelledSource)!.job,
    );
    expect(labelled!.static_configs).toEqual([{ targets: ['127.0.0.1:19200'] }, { targets: ['127.0.0.1:19201'], labels: { namespace: 'inference', pod: 'vllm-1' } }]);
    expect(() => localPrometheusConfig(model, { targets: { nosuch: ['127.0.0.1:1'] }, ruleFiles: [], alertmanager: 'x:1', scrapeInterval: '1s' })).toThrow(/nosuch/);
  });
});

describe('wiring checks', () => {
  it('finds nothing wrong with the project specs', () => {
    const d = new Diagnostics();
    checkScrapeWiring(model, d);
    expect(d.items).toEqual([]);
  });

  it('reports a monitor missing the label its Prometheus selects', () => {
    const broken = withStack(model, {
      kubePrometheusStackRelease: 'monitoring',
      selectors: { ...model.stack.value.selectors, serviceMonitors: {} },
    });
    const d = new Diagnostics();
    checkScrapeWiring(broken, d);
    const missing = d.items.filter((i) => i.code === 'wiring/missing-selector-label');
    expect(missing.length).toBeGreaterThan(0);
    expect(missing[0]!.message).toMatch(/release=monitoring/);
    expect(missing[0]!.fix).toMatch(/stack\.selectors\.serviceMonitors/);
  });

  it('reports a monitor port given by number', () => {
    const { target, object } = monitorObjects(model.scrapeTargets, model.stack.value).find((m) => m.object.kind === 'ServiceMonitor')!;
    const numeric = { ...object, spec: { ...object.spec, endpoints: [{ port: '8080', path: '/metrics' }] } };
    const d = new Diagnostics();
    checkMonitorPorts(numeric, { file: target.file, path: target.root }, d);
    expect(codes(d)).toEqual(['wiring/numeric-port']);
    expect(d.items[0]!.message).toMatch(/port \*name\*/);
  });

  it('reports a scraped source nothing scrapes and static targets for an unknown source', () => {
    const d = new Diagnostics();
    const stack = model.stack.value;
    checkScrapeWiring(withStack(model, { plainPrometheus: { ...stack.plainPrometheus, staticTargets: { nosuch: ['h:1'] } } }), d);
    expect(codes(d)).toContain('wiring/unknown-source');
  });

  it('reports a job matcher no monitor produces, and a job that does not scrape the selected metric', () => {
    const d = new Diagnostics();
    const at = { file: 'specs/rules/x.ts', path: 'x.rules[0].expr' };
    const [router, other] = model.scrapeTargets;
    checkJobMatchers('sum(up{job="myapp"})', model, at, d);
    expect(codes(d)).toEqual(['wiring/unknown-job']);
    expect(d.items[0]!.fix).toContain(router!.job);
    const metric = router!.source.metrics[0]!.name;
    const ok = new Diagnostics();
    checkJobMatchers(`sum(rate(${metric}{job="${router!.job}"}[5m]))`, model, at, ok);
    checkJobMatchers(`up{job=~"${router!.job}|${other!.job}"}`, model, at, ok);
    expect(ok.items).toEqual([]);
    const mismatch = new Diagnostics();
    checkJobMatchers(`sum(rate(${metric}{job="${other!.job}"}[5m]))`, model, at, mismatch);
    expect(codes(mismatch)).toEqual(['wiring/job-mismatch']);
  });

  it('holds dashboard queries and SLO matchers to the generated jobs', () => {
    const clean = new Diagnostics();
    checkDashboardAndSloJobs(model, clean);
    expect(clean.items).toEqual([]);
    const dashboard = { rows: [{ panels: [{ queries: [{ expr: 'sum(rate(up{job="myapp"}[5m]))' }] }] }] };
    const slos = { slos: [{ sli: { kind: 'ratio', errors: 'sum(rate(x{job="other"}[{{.window}}]))', total: { metric: {}, matchers: { job: 'nope' } } } }] };
    const broken = {
      ...model,
      specs: {
        ...model.specs,
        dashboard: [{ value: dashboard as never, file: 'specs/dashboards/x.ts', root: 'x' }],
        slos: [{ value: slos as never, file: 'specs/slos.ts', root: 's' }],
      },
    };
    const d = new Diagnostics();
    checkDashboardAndSloJobs(broken, d);
    expect(d.items.map((i) => [i.code, i.path])).toEqual([
      ['wiring/unknown-job', 'x.rows[0].panels[0].queries[0].expr'],
      ['wiring/unknown-job', 's.slos[0].sli.errors'],
      ['wiring/unknown-job', 's.slos[0].sli.total.matchers.job'],
    ]);
  });
});
