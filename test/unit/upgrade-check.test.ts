import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { upgradeBreaks, upgradeReport, type UpgradeImpact } from '../../src/verify/upgrade.ts';
import { cli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { src } from '../support/spec-fixture.ts';
import { checkedModel, impactOn, sourcesWith, upgradeFixtures } from '../support/upgrade-fixture.ts';

/**
 * `infermon check --upgrade SOURCE=VERSION`: on the example platform and on a platform pinned to an old
 * vLLM whose alert, recording rule, SLO and panel read families later releases rename. Each impact names
 * the alert/rule/SLO/panel, the change, the upstream reference and the fix.
 */

/** An alert, a recording rule, an SLO and a panel, each on a family vLLM renames after 0.10. */
const OLD_VLLM_SPECS = `
import { defineDashboard, defineRuleGroup, defineSlos } from ${src('src/model/spec.ts')};
import { vllmGpuCacheUsagePerc, vllmTimePerOutputToken } from 'infermon/catalog/vllm';
const tests = { firing: [{ series: [{ metric: vllmGpuCacheUsagePerc, value: 1 }] }], quiet: [{ series: [{ metric: vllmGpuCacheUsagePerc, value: 0 }] }] };
export const oldAlerts = defineRuleGroup({ name: 'old.alerts', rules: [
  { alert: 'OldKvCacheFull', expr: 'max by (model_name) (vllm:gpu_cache_usage_perc) > 0.9', severity: 'warning', summary: 's', description: 'd', tests },
] });
export const oldRules = defineRuleGroup({ name: 'old.rules', rules: [
  { record: 'model_name_le:vllm_time_per_output_token_seconds_bucket:rate5m', expr: 'sum by (model_name, le) (rate(vllm:time_per_output_token_seconds_bucket[5m]))' },
] });
export const oldSlos = defineSlos({ service: 'old-vllm', labels: { team: 'inference-runtime' }, slos: [
  { name: 'time-per-output-token', objective: 99, sli: { kind: 'latency', histogram: vllmTimePerOutputToken, threshold: 0.1 }, alerting: { name: 'OldTpotBudgetBurn' } },
] });
export const oldDashboard = defineDashboard({ id: 'old-vllm', title: 'Old vLLM', description: 'vLLM 0.10 caches.', rows: [
  { title: 'Cache', panels: [{ title: 'Prefix cache hit rate', description: 'Hits over queries.', unit: 'percentunit', queries: [
    { expr: 'sum(rate(vllm:gpu_prefix_cache_hits_total[$__rate_interval])) / sum(rate(vllm:gpu_prefix_cache_queries_total[$__rate_interval]))' },
  ] }] },
] });
`;

const fixture = upgradeFixtures();

describe('check --upgrade on a platform pinned to vLLM 0.10', () => {
  const specs = fixture({ 'sources.ts': sourcesWith('vllm', '0.10'), 'old-vllm.ts': OLD_VLLM_SPECS });

  it('names every alert, rule, SLO and panel a rename breaks, with the upstream change and the new name', async () => {
    const { model: m, diagnostics } = await checkedModel(specs);
    expect(diagnostics.errors.map((d) => d.message)).toEqual([]);
    const report = upgradeReport(m, [{ source: 'vllm', version: '0.15' }]);
    expect(report.upgrades).toEqual([{ source: 'vllm', component: 'vLLM server', from: '0.10', to: '0.15' }]);
    expect(upgradeBreaks(report)).toBe(true);

    const alert = impactOn(report.impacts, 'alert', 'old.alerts/OldKvCacheFull');
    expect(alert).toMatchObject({ severity: 'breaks', change: 'renamed', family: 'vllm:gpu_cache_usage_perc', version: '0.12', fix: 'use `vllm:kv_cache_usage_perc`' });
    expect(alert.ref).toMatchObject({ repo: 'vllm-project/vllm', path: 'vllm/v1/metrics/loggers.py', pr: 29330 });
    expect(alert.at).toMatchObject({ path: 'oldAlerts.rules[0].expr' });

    const rule = impactOn(report.impacts, 'recording rule', 'old.rules/model_name_le:vllm_time_per_output_token_seconds_bucket:rate5m');
    expect(rule).toMatchObject({ change: 'renamed', version: '0.15', fix: 'use `vllm:inter_token_latency_seconds_bucket`', ref: { pr: 32661 } });

    const slo = impactOn(report.impacts, 'slo', 'old-vllm/time-per-output-token errors');
    expect(slo).toMatchObject({ change: 'renamed', family: 'vllm:time_per_output_token_seconds', ref: { pr: 32661 } });

    const panel = report.impacts.filter((i) => i.kind === 'dashboard' && i.name === 'old-vllm / Prefix cache hit rate');
    expect(panel.map((i) => i.fix).sort()).toEqual(['use `vllm:prefix_cache_hits_total`', 'use `vllm:prefix_cache_queries_total`']);
  });

  it('reports the deprecation on the way without breaking, when the target still has the families', async () => {
    const { model: m } = await checkedModel(specs);
    const report = upgradeReport(m, [{ source: 'vllm', version: '0.11' }]);
    expect(upgradeBreaks(report)).toBe(false);
    expect(impactOn(report.impacts, 'slo', 'old-vllm/time-per-output-token errors')).toMatchObject({ severity: 'changes', change: 'deprecated', version: '0.11' });
  });

  it('reports the buckets of an older release, and breaks an SLO whose threshold is no bucket there', async () => {
    const { model: m } = await checkedModel(specs);
    const report = upgradeReport(m, [{ source: 'vllm', version: '0.8' }]);
    // The SLI's error query reads the `le="0.1"` bucket, which 0.8 has too; its total reads `_count`, untouched.
    const slo = impactOn(report.impacts, 'slo', 'old-vllm/time-per-output-token errors');
    expect(slo).toMatchObject({ severity: 'changes', change: 'rebucketed', ref: { pr: 15202 } });
    expect(report.impacts.some((i) => i.name === 'old-vllm/time-per-output-token total')).toBe(false);
    const { model: strict } = await checkedModel(
      fixture({ 'sources.ts': sourcesWith('vllm', '0.10'), 'old-vllm.ts': OLD_VLLM_SPECS.replace('threshold: 0.1 }', 'threshold: 5 }') }),
    );
    const errors = impactOn(upgradeReport(strict, [{ source: 'vllm', version: '0.8' }]).impacts, 'slo', 'old-vllm/time-per-output-token errors');
    expect(errors).toMatchObject({ severity: 'breaks', change: 'rebucketed' });
    expect(errors.message).toContain('le="5"');
  });

  it('exits 1 and prints each impact with its upstream reference and fix; JSON carries the same', () => {
    const text = cli(['check', '--specs', specs, '--upgrade', 'vllm=0.15'], dirname(specs));
    expect(text.status, text.stderr).toBe(1);
    expect(text.stdout).toMatch(/^infermon check --upgrade vllm 0\.10 → 0\.15: \d+ queries checked; 7 break, 0 change meaning/);
    expect(text.stdout).toContain('breaks alert old.alerts/OldKvCacheFull');
    expect(text.stdout).toContain('upstream: vllm-project/vllm#29330 vllm/v1/metrics/loggers.py at v0.12.0');
    expect(text.stdout).toMatch(/old-vllm\.ts:\d+: oldAlerts\.rules\[0\]\.expr/);
    const json = cli(['check', '--specs', specs, '--upgrade', 'vllm=0.11', '--format', 'json'], dirname(specs));
    expect(json.status, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { upgrades: unknown[]; impacts: UpgradeImpact[] };
    expect(report.upgrades).toHaveLength(1);
    expect(report.impacts.every((i) => i.severity === 'changes')).toBe(true);
  });

  it('refuses a release nobody read and a malformed flag, naming what is known', () => {
    const unknown = cli(['check', '--specs', specs, '--upgrade', 'vllm=0.99'], dirname(specs));
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('`0.99` is no release of vllm-project/vllm');
    const malformed = cli(['check', '--specs', specs, '--upgrade', 'vllm'], dirname(specs));
    expect(malformed.status).toBe(1);
    expect(malformed.stderr).toContain('write SOURCE=VERSION');
  });
});

describe('a pinned release checks queries against what it exposes', () => {
  it('makes a query on a family the pinned release lacks an error, with its name at that release', async () => {
    const specs = fixture({
      'sources.ts': sourcesWith('vllm', '0.10'),
      'rules.ts': `import { defineRuleGroup } from ${src('src/model/spec.ts')};
export const newRules = defineRuleGroup({ name: 'new.rules', rules: [
  { record: 'model_name_le:vllm_inter_token_latency_seconds_bucket:rate5m', expr: 'sum by (model_name, le) (rate(vllm:inter_token_latency_seconds_bucket[5m]))' },
] });
`,
    });
    const { diagnostics } = await checkedModel(specs);
    const found = diagnostics.errors.filter((d) => d.code === 'promql/not-in-pinned-version');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path: 'newRules.rules[0].expr' });
    expect(found[0]!.message).toContain('is not in vLLM server 0.10');
    expect(found[0]!.message).toContain('added in 0.11');
    expect(found[0]!.fix).toContain('use `vllm:time_per_output_token_seconds_bucket`');
    // The same rule passes at the release that has the family.
    const current = fixture({ 'sources.ts': sourcesWith('vllm', '0.11'), 'rules.ts': `export { newRules } from ${JSON.stringify(`${specs}/rules.ts`)};\n` });
    expect((await checkedModel(current)).diagnostics.errors).toEqual([]);
  });
});

describe('check --upgrade on the example platform', () => {
  it('breaks every GPU alert and panel grouping by Hostname when dcgm-exporter main spells it hostname', async () => {
    const { model: m } = await checkedModel(`${PROJECT_ROOT}/specs`);
    const report = upgradeReport(m, [{ source: 'dcgm', version: 'main@d5e5f51' }]);
    expect(upgradeBreaks(report)).toBe(true);
    const xid = impactOn(report.impacts, 'alert', 'gpu.alerts/GpuXidError');
    expect(xid).toMatchObject({ change: 'label-removed', family: 'DCGM_FI_DEV_XID_ERRORS', version: 'main@d5e5f51', fix: 'use `hostname` instead of `Hostname`' });
    expect(xid.ref).toMatchObject({ repo: 'NVIDIA/dcgm-exporter', pr: 655, path: 'internal/pkg/rendermetrics/render_metrics.go' });
    expect(report.impacts.some((i) => i.kind === 'dashboard')).toBe(true);
    // Queries that never name the host label are untouched.
    expect(report.impacts.filter((i) => i.message.includes('Hostname')).length).toBe(report.impacts.length);
  });

  it('finds nothing breaking in the router labels main adds, and nothing at the pinned release itself', async () => {
    const { model: m } = await checkedModel(`${PROJECT_ROOT}/specs`);
    expect(upgradeReport(m, [{ source: 'kthena-router', version: 'main@3cc0572' }]).impacts).toEqual([]);
    expect(upgradeReport(m, [{ source: 'vllm', version: '0.32' }]).impacts).toEqual([]);
  });

  it('names the SLOs and rules on inter-token latency when vLLM goes back before 0.11', async () => {
    const { model: m } = await checkedModel(`${PROJECT_ROOT}/specs`);
    const report = upgradeReport(m, [{ source: 'vllm', version: '0.10' }]);
    const itl = report.impacts.filter((i) => i.family === 'vllm:inter_token_latency_seconds');
    expect(itl.some((i) => i.kind === 'slo')).toBe(true);
    expect(itl.some((i) => i.kind === 'recording rule')).toBe(true);
    expect(itl.every((i) => i.change === 'added' && i.ref?.pr === 24110)).toBe(true);
    const slo = impactOn(itl, 'slo', 'vllm/inter-token-latency errors');
    expect(slo.fix).toMatch(/^use `vllm:time_per_output_token_seconds_(bucket|count)`, or keep vLLM server at 0\.11 or later$/);
  });
});
