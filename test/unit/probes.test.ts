import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BLACKBOX_CONFIG, HEALTHY_REPORT_REGEXP, blackboxGenerator } from '../../generators/blackbox/config.ts';
import { probesGenerator } from '../../generators/kubernetes/probes.ts';
import { prometheusConfig } from '../../generators/prometheus/config.ts';
import type { Plan } from '../../src/plan/index.ts';
import { healthReport, type HealthStatus } from '../../src/runtime/health.ts';
import { blackboxExporter } from '../support/blackbox-exporter.ts';
import { SCHEMAS_MISSING_REASON, schemaErrors, schemasAvailable } from '../support/schemas.ts';
import { projectModel, withStack } from './wiring-fixture.ts';
import { artifactText } from '../../src/emit/render.ts';

let model: Plan;
let dir: string;
beforeAll(async () => {
  model = await projectModel();
  dir = mkdtempSync(join(tmpdir(), 'infermon-probes-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exporter = blackboxExporter();

function configCheck(body: string): { status: number | null; output: string } {
  const file = join(dir, `blackbox-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, body);
  const r = spawnSync(exporter!, ['--config.check', `--config.file=${file}`], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe.skipIf(!exporter)('blackbox.yml', () => {
  it('passes the exporter\'s own --config.check, which rejects a broken module', () => {
    const [config] = blackboxGenerator(model);
    expect(config!.path).toBe(BLACKBOX_CONFIG);
    const good = configCheck(artifactText(config!));
    expect(good.status, good.output).toBe(0);
    const broken = configCheck(artifactText(config!).replace('fail_if_body_not_matches_regexp:\n', 'fail_if_body_not_matches_regexp:\n        - "(unclosed"\n'));
    expect(broken.status).not.toBe(0);
  });
});

describe('the http_health body check', () => {
  const report = (status: HealthStatus) =>
    JSON.stringify(healthReport([{ name: 'upstreams', critical: true, run: () => ({ status, message: 'x' }) }]));

  it('accepts a healthy or degraded report and rejects an unhealthy one, whatever its checks say', () => {
    const re = new RegExp(HEALTHY_REPORT_REGEXP);
    expect(re.test(report('healthy'))).toBe(true);
    expect(re.test(report('degraded'))).toBe(true);
    expect(re.test(report('unhealthy'))).toBe(false);
  });
});

describe('probe wiring', () => {
  it('writes one Probe CR per endpoint with the probe job, module and exporter', () => {
    const artifacts = probesGenerator(model);
    expect(artifacts.map((a) => a.path)).toEqual(['kubernetes/probes/inference-api.yaml']);
    const probe = parse(artifactText(artifacts[0]!)) as { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> };
    expect(probe.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(probe.spec).toMatchObject({
      jobName: 'blackbox',
      module: 'http_health',
      prober: { url: 'prometheus-blackbox-exporter.monitoring.svc:9115' },
      targets: { staticConfig: { static: ['https://inference.example.com/readyz'], labels: { probe: 'inference-api' } } },
    });
  });

  it('writes no Probe CR without an operator target', () => {
    const plainOnly = withStack(model, { targets: { ...model.stack.value.targets, prometheus: ['plain'] } });
    expect(probesGenerator(plainOnly)).toEqual([]);
  });

  it('gives the plain prometheus.yml the probe job with the target and exporter relabelling', () => {
    const jobs = prometheusConfig(model).scrape_configs as Array<Record<string, unknown>>;
    const job = jobs.find((j) => j.job_name === 'blackbox');
    expect(job).toMatchObject({
      metrics_path: '/probe',
      static_configs: [{ targets: ['https://inference.example.com/readyz'], labels: { __param_module: 'http_health', probe: 'inference-api' } }],
      relabel_configs: [
        { source_labels: ['__address__'], target_label: '__param_target' },
        { source_labels: ['__param_target'], target_label: 'instance' },
        { target_label: '__address__', replacement: 'prometheus-blackbox-exporter.monitoring.svc:9115' },
      ],
    });
  });
});

describe.skipIf(!schemasAvailable)('Probe schema conformance', () => {
  if (!schemasAvailable) console.warn(SCHEMAS_MISSING_REASON);
  it('every Probe CR is valid against the Probe schema, strict and plain', () => {
    for (const a of probesGenerator(model)) {
      const doc = parse(artifactText(a));
      expect(schemaErrors('prometheus-operator/probe.v1.json', doc), a.path).toEqual([]);
      expect(schemaErrors('prometheus-operator/probe.v1.strict.json', doc), a.path).toEqual([]);
    }
  });

  it('the schema rejects a Probe without its prober URL', () => {
    const doc = parse(artifactText(probesGenerator(model)[0]!)) as { spec: { prober: Record<string, unknown> } };
    delete doc.spec.prober.url;
    expect(schemaErrors('prometheus-operator/probe.v1.json', doc)).not.toEqual([]);
  });
});
