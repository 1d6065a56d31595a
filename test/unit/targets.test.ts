import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { K8S_SIDECAR_FOLDER_ANNOTATION, LOKI_RULE_LABEL, OUT } from '../../src/conventions.ts';
import type { Plan } from '../../src/plan/index.ts';
import { stackSpecSchema } from '../../src/model/stack.ts';
import { DEFAULT_TARGETS, type Targets } from '../../src/model/targets.ts';
import { buildModel, generateArtifacts } from '../../src/pipeline.ts';
import { stack } from '../../specs/stack.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { withStack } from './wiring-fixture.ts';
import { artifactText } from '../../src/emit/render.ts';

let model: Plan;
beforeAll(async () => {
  model = (await buildModel(join(PROJECT_ROOT, 'specs'), PROJECT_ROOT)).model!;
});

function pathsFor(targets: Targets): string[] {
  return generateArtifacts(withStack(model, { targets })).map((a) => a.path);
}

const under = (paths: string[], prefix: string) => paths.filter((p) => p.startsWith(prefix));

describe('stack targets', () => {
  it('default to what the example platform runs', () => {
    const { targets, ...rest } = stack.spec;
    expect(stackSpecSchema.parse(rest).targets).toEqual(targets);
    expect(stackSpecSchema.parse(rest).targets).toEqual(DEFAULT_TARGETS);
  });

  it('refuse two operators and a Sloth operator without prometheus-operator, with the path to fix', () => {
    const issues = (targets: unknown) => stackSpecSchema.safeParse({ ...stack.spec, targets }).error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(issues({ prometheus: ['kube-prometheus-stack', 'prometheus-operator'] })).toEqual(['targets.prometheus']);
    expect(issues({ prometheus: ['plain'], slo: 'sloth-operator' })).toEqual(['targets.slo']);
    expect(issues({ prometheus: ['plain'], slo: 'native' })).toEqual([]);
  });

  it('always write the rule files, their promtool tests, the Sloth specs and alertmanager.yml', () => {
    const plainOnly = pathsFor({ prometheus: ['plain'], slo: 'native', loki: 'plain', logShippers: [] });
    const operatorOnly = pathsFor({ prometheus: ['prometheus-operator'], slo: 'sloth-operator', loki: 'helm', logShippers: [] });
    for (const paths of [plainOnly, operatorOnly]) {
      expect(under(paths, `${OUT.prometheusRules}/slo-`).length).toBeGreaterThan(0);
      expect(under(paths, `${OUT.prometheusTests}/`).length).toBeGreaterThan(0);
      expect(under(paths, `${OUT.sloth}/`).length).toBeGreaterThan(0);
      expect(paths).toContain(`${OUT.alertmanager}/alertmanager.yml`);
    }
    expect(under(plainOnly, `${OUT.prometheusRules}/`)).toEqual(under(operatorOnly, `${OUT.prometheusRules}/`));
  });

  it('write prometheus.yml, the chart values and the CRs only for the Prometheus they target', () => {
    const plainOnly = pathsFor({ ...DEFAULT_TARGETS, prometheus: ['plain'] });
    expect(plainOnly).toContain(OUT.prometheusConfig);
    expect(under(plainOnly, `${OUT.kubernetes}/`).filter((p) => !p.startsWith(`${OUT.grafanaDashboardConfigMaps}/`) && p !== 'kubernetes/kustomization.yaml')).toEqual([]);

    const operator = pathsFor({ ...DEFAULT_TARGETS, prometheus: ['prometheus-operator'] });
    expect(operator).not.toContain(OUT.prometheusConfig);
    expect(operator).not.toContain('kubernetes/kube-prometheus-stack-values.yaml');
    for (const folder of ['prometheus-rules', 'service-monitors', 'pod-monitors', 'alertmanager'])
      expect(under(operator, `${OUT.kubernetes}/${folder}/`).length, folder).toBeGreaterThan(0);

    expect(pathsFor({ ...DEFAULT_TARGETS, prometheus: ['kube-prometheus-stack'] })).toContain('kubernetes/kube-prometheus-stack-values.yaml');
  });

  it('write Sloth CRs or native SLO PrometheusRules for the cluster, never both', () => {
    const native = pathsFor({ ...DEFAULT_TARGETS, slo: 'native' });
    expect(under(native, 'kubernetes/sloth/')).toEqual([]);
    expect(under(native, 'kubernetes/prometheus-rules/slo-').length).toBeGreaterThan(0);
    const sloth = pathsFor({ ...DEFAULT_TARGETS, slo: 'sloth-operator' });
    expect(under(sloth, 'kubernetes/sloth/').length).toBe(model.specs.slos.length);
    expect(under(sloth, 'kubernetes/prometheus-rules/slo-')).toEqual([]);
  });

  it('write the Loki config and ruler files for a plain Loki, sidecar ConfigMaps and chart values for a Helm Loki', () => {
    const plain = pathsFor({ ...DEFAULT_TARGETS, loki: 'plain' });
    expect(plain).toContain('loki/loki.yaml');
    expect(under(plain, 'loki/rules/').length).toBe(1);
    expect(under(plain, 'kubernetes/loki-rules/')).toEqual([]);

    const helm = generateArtifacts(withStack(model, { targets: { ...DEFAULT_TARGETS, loki: 'helm' } }));
    const paths = helm.map((a) => a.path);
    expect(paths).not.toContain('loki/loki.yaml');
    expect(under(paths, 'loki/rules/')).toEqual([]);
    const [configMap] = helm.filter((a) => a.path.startsWith('kubernetes/loki-rules/')).map((a) => parse(artifactText(a)) as Record<string, any>);
    const [logs] = model.specs.logs;
    expect(configMap!.metadata.labels).toMatchObject(LOKI_RULE_LABEL);
    expect(configMap!.metadata.annotations[K8S_SIDECAR_FOLDER_ANNOTATION]).toBe(logs!.value.loki.tenant);
    const rules = parse(Object.values(configMap!.data as Record<string, string>)[0]!) as { groups: Array<{ rules: Array<{ alert: string }> }> };
    expect(rules.groups[0]!.rules.map((r) => r.alert)).toEqual(logs!.value.alerts.map((a) => a.alert));
    const values = parse(artifactText(helm.find((a) => a.path === 'loki/helm-values.yaml')!)) as Record<string, any>;
    expect(values.sidecar.rules).toMatchObject({ enabled: true, label: Object.keys(LOKI_RULE_LABEL)[0], folder: '/rules' });
    expect(values.loki.rulerConfig.storage).toEqual({ type: 'local', local: { directory: '/rules' } });
  });

  it('write a pipeline for each chosen log shipper only', () => {
    expect(under(pathsFor({ ...DEFAULT_TARGETS, logShippers: ['alloy'] }), `${OUT.promtail}/`)).toEqual([]);
    expect(under(pathsFor({ ...DEFAULT_TARGETS, logShippers: ['promtail'] }), `${OUT.alloy}/`)).toEqual([]);
    const both = pathsFor(DEFAULT_TARGETS);
    expect(under(both, `${OUT.alloy}/`).length).toBe(1);
    expect(under(both, `${OUT.promtail}/`).length).toBe(1);
  });
});
