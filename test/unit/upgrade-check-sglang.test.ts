import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { upgradeBreaks, upgradeReport } from '../../src/verify/upgrade.ts';
import { cli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { src } from '../support/spec-fixture.ts';
import { checkedModel, impactOn, sourcesWith, upgradeFixtures } from '../support/upgrade-fixture.ts';

/**
 * `infermon check --upgrade sglang=VERSION`: a platform on SGLang 0.5.10 watching prefill/decode
 * disaggregation and start-up breaks on the releases that retype, rename and remove those families; the
 * example platform's runtime dashboard breaks when SGLang goes back before inter-token latency existed.
 */

/** An alert on the KV transfer speed, a panel on the prefill queue and one on start-up time. */
const PD_SPECS = `
import { defineDashboard, defineRuleGroup } from ${src('src/model/spec.ts')};
import { sglangKvTransferSpeed } from 'infermon/catalog/sglang';
const tests = { firing: [{ series: [{ metric: sglangKvTransferSpeed, value: 0.1 }] }], quiet: [{ series: [{ metric: sglangKvTransferSpeed, value: 10 }] }] };
export const pdAlerts = defineRuleGroup({ name: 'pd.alerts', rules: [
  { alert: 'KvTransferSlow', expr: 'min by (model_name) (sglang:kv_transfer_speed_gb_s) < 1', severity: 'warning', summary: 's', description: 'd', tests },
] });
export const pdDashboard = defineDashboard({ id: 'sglang-pd', title: 'SGLang PD', description: 'Disaggregation.', rows: [
  { title: 'Prefill', panels: [
    { title: 'Prefill queue', description: 'Waiting for bootstrap.', unit: 'short', queries: [{ expr: 'sum by (model_name) (sglang:num_prefill_prealloc_queue_reqs)' }] },
    { title: 'Start-up', description: 'Engine start-up time.', unit: 's', queries: [{ expr: 'max by (model_name) (sglang:engine_startup_time)' }] },
  ] },
] });
`;

const fixture = upgradeFixtures();

describe('check --upgrade on a platform watching SGLang prefill/decode disaggregation', () => {
  const specs = fixture({ 'sources.ts': sourcesWith('sglang', '0.5.10'), 'pd.ts': PD_SPECS });

  it('breaks the alert on the retyped transfer speed and the panels on the renamed queue and removed start-up time', async () => {
    const { model: m, diagnostics } = await checkedModel(specs);
    expect(diagnostics.errors.map((d) => d.message)).toEqual([]);
    const report = upgradeReport(m, [{ source: 'sglang', version: '0.5.18' }]);
    expect(report.upgrades).toEqual([{ source: 'sglang', component: 'SGLang server', from: '0.5.10', to: '0.5.18' }]);
    expect(upgradeBreaks(report)).toBe(true);

    const alert = impactOn(report.impacts, 'alert', 'pd.alerts/KvTransferSlow');
    expect(alert).toMatchObject({ severity: 'breaks', change: 'retyped', family: 'sglang:kv_transfer_speed_gb_s', version: '0.5.12' });
    expect(alert.ref).toEqual({ repo: 'sgl-project/sglang', path: 'python/sglang/srt/observability/metrics_collector.py', at: 'v0.5.12' });

    const queue = impactOn(report.impacts, 'dashboard', 'sglang-pd / Prefill queue');
    expect(queue).toMatchObject({ severity: 'breaks', change: 'renamed', version: '0.5.12', fix: 'use `sglang:num_prefill_bootstrap_queue_reqs`' });

    const startup = impactOn(report.impacts, 'dashboard', 'sglang-pd / Start-up');
    expect(startup).toMatchObject({ severity: 'breaks', change: 'removed', family: 'sglang:engine_startup_time', version: '0.5.18' });
    expect(startup.note).toContain('sglang:startup_time_seconds');
  });

  it('keeps the start-up panel at 0.5.15, the last release read with the family', async () => {
    const { model: m } = await checkedModel(specs);
    const report = upgradeReport(m, [{ source: 'sglang', version: '0.5.15' }]);
    expect(report.impacts.map((i) => i.name).sort()).toEqual(['pd.alerts/KvTransferSlow', 'sglang-pd / Prefill queue']);
  });

  it('prints each impact with its upstream reference and exits 1; a release not read is refused', () => {
    const text = cli(['check', '--specs', specs, '--upgrade', 'sglang=0.5.18'], dirname(specs));
    expect(text.status, text.stderr).toBe(1);
    expect(text.stdout).toMatch(/^infermon check --upgrade sglang 0\.5\.10 → 0\.5\.18: \d+ queries checked; 3 break, 0 change meaning/);
    expect(text.stdout).toContain('upstream: sgl-project/sglang python/sglang/srt/observability/metrics_collector.py at v0.5.18');
    const unread = cli(['check', '--specs', specs, '--upgrade', 'sglang=0.5.11'], dirname(specs));
    expect(unread.status).toBe(1);
    expect(unread.stderr).toContain('`0.5.11` is no release of sgl-project/sglang');
  });
});

describe('check --upgrade sglang on the example platform', () => {
  it('breaks the inter-token latency panel before 0.4.4, pointing at the former name', async () => {
    const { model: m } = await checkedModel(`${PROJECT_ROOT}/specs`);
    const report = upgradeReport(m, [{ source: 'sglang', version: '0.4.3' }]);
    expect(upgradeBreaks(report)).toBe(true);
    const itl = impactOn(report.impacts.filter((i) => i.severity === 'breaks'), 'dashboard', 'llm-runtime / Inter-token latency');
    expect(itl).toMatchObject({ change: 'added', family: 'sglang:inter_token_latency_seconds', version: '0.4.4' });
    expect(itl.fix).toBe('use `sglang:time_per_output_token_seconds_bucket`, or keep SGLang server at 0.4.4 or later');
    expect(itl.ref).toEqual({ repo: 'sgl-project/sglang', path: 'python/sglang/srt/metrics/collector.py', at: 'v0.4.4' });
  });

  it('finds nothing at the release the catalog describes', async () => {
    const { model: m } = await checkedModel(`${PROJECT_ROOT}/specs`);
    expect(upgradeReport(m, [{ source: 'sglang', version: '0.5.10' }]).impacts).toEqual([]);
  });
});
