import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CLI_ENTRY, cli, nodeArgs, previousOutput, snapshot } from '../support/cli.ts';
import { specFixture, src } from '../support/spec-fixture.ts';

const brokenAlerts = `
import { defineRuleGroup } from ${src('src/model/spec.ts')};
import { vllmKvCacheUsage } from 'infermon/catalog/vllm';
const tests = { firing: [{ series: [{ metric: vllmKvCacheUsage, value: 1 }] }], quiet: [{ series: [{ metric: vllmKvCacheUsage, value: 0 }] }] };
export const broken = defineRuleGroup({ name: 'broken.alerts', rules: [
  { alert: 'RemovedMetric', expr: 'vllm:gpu_cache_usage_perc > 0.9', severity: 'warning', summary: 's', description: 'd', tests },
  { alert: 'WrongLabel', expr: 'max by (modelname) (vllm:kv_cache_usage_perc) > 0.9', severity: 'warning', summary: 's', description: 'd', tests },
  { alert: 'RateOnGauge', expr: 'rate(vllm:kv_cache_usage_perc[5m]) > 0.9', severity: 'warning', summary: 's', description: 'd', tests },
] });
`;

/** One rule group over 1 MiB: a PrometheusRule nothing can apply, whatever the split. */
const oversizedGroup = `
import { defineRuleGroup } from ${src('src/model/spec.ts')};
const model = 'm'.repeat(2000);
export const oversized = defineRuleGroup({ name: 'oversized.rules', rules: Array.from({ length: 520 }, (_, i) => ({
  record: \`model:vllm_request_success:rate5m_\${i}\`,
  expr: \`sum by (model_name) (rate(vllm:request_success_total{model_name="\${model}-\${i}"}[5m]))\`,
})) });
`;

describe('infermon CLI', () => {
  it('refuses to write a Kubernetes object over 1 MiB, naming the spec', () => {
    const specs = specFixture({ 'rules/oversized.ts': oversizedGroup });
    const out = previousOutput();
    const before = snapshot(out);
    const r = cli(['generate', '--specs', specs, '--out', out], dirname(specs));
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/error kubernetes\/object-too-large \S*rules\/oversized\.ts: oversized/);
    expect(snapshot(out)).toEqual(before);
  });

  it('reports every problem at once, exits 1 and leaves out/ untouched', () => {
    const specs = specFixture({ 'alerts/broken.ts': brokenAlerts });
    const cwd = dirname(specs);
    const out = previousOutput();
    const before = snapshot(out);
    const r = cli(['generate', '--specs', specs, '--out', out], cwd);
    expect(r.status).toBe(1);
    for (const code of ['promql/removed-metric', 'promql/unknown-label', 'promql/rate-on-non-counter']) expect(r.stderr).toContain(code);
    expect(r.stderr).toContain('broken.rules[2].expr');
    expect(r.stderr).toMatch(/fix: /);
    expect(snapshot(out)).toEqual(before);
  });

  it('stops quietly when the reader closes its output early', () => {
    const specs = specFixture({});
    const piped = spawnSync('bash', ['-c', '"$0" "$@" | head -c 10 >/dev/null; exit ${PIPESTATUS[0]}', process.execPath, ...nodeArgs(CLI_ENTRY, ['catalog', '--format', 'json', '--specs', specs])], {
      cwd: dirname(specs),
      encoding: 'utf8',
    });
    expect(piped.stderr).toBe('');
    expect(piped.status).toBe(0);
  });

  it('generates deterministically and --check detects a stale tree', () => {
    const specs = specFixture({});
    const cwd = dirname(specs);
    const base = mkdtempSync(join(tmpdir(), 'infermon-out-'));
    const a = join(base, 'a');
    const b = join(base, 'b');
    expect(cli(['generate', '--specs', specs, '--out', a], cwd).status).toBe(0);
    expect(cli(['generate', '--specs', specs, '--out', b], cwd).status).toBe(0);
    expect(snapshot(a)).toEqual(snapshot(b));
    expect(cli(['generate', '--specs', specs, '--out', a, '--check'], cwd).status).toBe(0);
    // A file infermon did not write is none of --check's business; its own files are.
    writeFileSync(join(a, 'notes.yml'), 'x: 1\n');
    expect(cli(['generate', '--specs', specs, '--out', a, '--check'], cwd).status).toBe(0);
    appendFileSync(join(a, 'docs', 'metrics.md'), 'edited by hand\n');
    unlinkSync(join(a, 'kubernetes', 'kustomization.yaml'));
    const stale = cli(['generate', '--specs', specs, '--out', a, '--check'], cwd);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('+ kubernetes/kustomization.yaml\n~ docs/metrics.md\n');
    expect(stale.stderr).not.toContain('notes.yml');
  });
});
