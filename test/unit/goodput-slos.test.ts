import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { goodputSlos } from '../../src/content/goodput.ts';
import { OUT } from '../../src/conventions.ts';
import { writeTree } from '../../src/emit/write.ts';
import { buildModel, checkModel, generateArtifacts } from '../../src/pipeline.ts';
import { FIXTURE_ROOT, specFixture } from '../support/spec-fixture.ts';
import { runTool } from '../support/tools.ts';
import { maybeText } from '../support/artifacts.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('goodput SLOs', () => {
  it('read both sides of the ratio from the router\'s goodput family, so the ratio is exact', () => {
    const [slo] = goodputSlos({ models: ['llama'] }).spec.slos;
    expect(slo!.name).toBe('llama-goodput');
    expect(slo!.sli).toMatchObject({
      kind: 'ratio',
      errors: { metric: { name: 'infermon_router_goodput_requests_total' }, matchers: { model: 'llama', outcome: { ne: 'met' } } },
      total: { metric: { name: 'infermon_router_goodput_requests_total' }, matchers: { model: 'llama' } },
    });
  });

  it('without the router extension give per-phase SLOs that say they bound goodput from above, and why', () => {
    const slos = goodputSlos({ models: ['llama'], source: 'vllm-histograms', targets: { timeToFirstToken: 0.5, interTokenLatency: 0.05 } }).spec.slos;
    expect(slos.map((s) => [s.name, s.sli.kind === 'latency' ? `${s.sli.histogram.name}<=${s.sli.threshold}` : s.sli.kind])).toEqual([
      ['llama-goodput-ttft-bound', 'vllm:time_to_first_token_seconds<=0.5'],
      ['llama-goodput-itl-bound', 'vllm:request_time_per_output_token_seconds<=0.05'],
    ]);
    for (const s of slos) expect(s.description).toMatch(/An upper bound on goodput, not goodput: .* cannot say how many requests met both targets and succeeded/);
  });

  it('generate checked rules that pass promtool, and a bound whose threshold is no bucket is reported', async () => {
    const specs = specFixture({
      'slos.ts': `import * as content from 'infermon/content';
export const exact = content.goodputSlos({ models: ['llama-3-8b'] });
export const bound = content.goodputSlos({ name: 'bound', models: ['llama-3-8b'], source: 'vllm-histograms' });
`,
    });
    dirs.push(specs);
    const { model, diagnostics } = await buildModel(specs, specs);
    checkModel(model!, diagnostics);
    expect(diagnostics.errors).toEqual([]);
    const artifacts = generateArtifacts(model!);
    const sloth = maybeText(artifacts.find((a) => a.path === `${OUT.sloth}/bound.yml`)) ?? '';
    expect(sloth).toContain('An upper bound on goodput, not goodput');
    const out = mkdtempSync(join(FIXTURE_ROOT, 'out-'));
    dirs.push(out);
    writeTree(out, artifacts);
    const tests = join(out, OUT.prometheusTests);
    const r = runTool('promtool', ['test', 'rules', ...readdirSync(tests)], { cwd: tests });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.match(/SUCCESS/g)).toHaveLength(2);

    const bad = specFixture({
      'slos.ts': `import * as content from 'infermon/content';
export const bound = content.goodputSlos({ models: ['llama-3-8b'], source: 'vllm-histograms', targets: { timeToFirstToken: 0.3 } });
`,
    });
    dirs.push(bad);
    const built = await buildModel(bad, bad);
    checkModel(built.model!, built.diagnostics);
    expect(built.diagnostics.errors.map((d) => d.code)).toContain('slo/threshold-not-a-bucket');
  });
});
