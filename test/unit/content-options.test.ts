import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel, checkModel, generateArtifacts } from '../../src/pipeline.ts';
import { writeTree } from '../../src/emit/write.ts';
import { OUT } from '../../src/conventions.ts';
import * as content from '../../src/content/index.ts';
import type { SpecDeclaration } from '../../src/model/spec.ts';
import { FIXTURE_ROOT, specFixture } from '../support/spec-fixture.ts';
import { runTool } from '../support/tools.ts';
import { cli } from '../support/cli.ts';

/**
 * Bundled factories check their config before they build: options outside what the content can honour are
 * reported on the option, every one at once; options at the edges of what it accepts generate alerts whose
 * promtool tests still fire on bad data and stay quiet on good data.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('bundled factory options', () => {
  it('reports every rejected option at its line, with the factory and what the option means', async () => {
    const specs = specFixture({
      'alerts/fleets.ts': [
        "import * as content from 'infermon/content';",
        '',
        'export const chatAlerts = content.vllmAlerts({',
        "  name: 'chat',",
        '  kvCacheWarning: 80,',
        '});',
        "export const codeAlerts = content.vllmAlerts({ name: 'code', kvCacheWarn: 0.8 } as never);",
        "export const gpus = content.gpuAlerts({ name: 'gpus', xidWindow: '15 minutes', memoryRatio: '0.9' as never });",
        "export const routerSlos = content.kthenaRouterSlos({ name: 'rs', objectives: { availability: 100 }, perModel: { 'llama': { latency: -1 } } });",
        "export const runtime = content.llmRuntimeDashboard({ name: 'rt', runtimes: ['vllm', 'trtllm'] as never, selector: { 'app.kubernetes.io/name': 'vllm' } });",
        '',
      ].join('\n'),
    });
    dirs.push(specs);
    const { diagnostics } = await buildModel(specs, specs);
    const found = diagnostics.errors.map((d) => ({ code: d.code, path: d.path, line: d.line, message: d.message }));
    expect(found.every((d) => d.code === 'spec/invalid-option')).toBe(true);
    expect(found.map((d) => d.path).sort()).toEqual([
      'chatAlerts.kvCacheWarning',
      'codeAlerts.kvCacheWarn',
      'gpus.memoryRatio',
      'gpus.xidWindow',
      'routerSlos.objectives.availability',
      'routerSlos.perModel.llama.latency',
      'runtime.runtimes[1]',
      'runtime.selector.app.kubernetes.io/name',
    ]);
    const at = (path: string) => found.find((d) => d.path === path)!;
    expect(at('chatAlerts.kvCacheWarning')).toMatchObject({ line: 5, message: 'vllmAlerts: `kvCacheWarning: 80` is not less than 1 (a ratio: 0.9 is 90%)' });
    expect(at('codeAlerts.kvCacheWarn').message).toContain('did you mean `kvCacheWarning`?');
    expect(at('gpus.memoryRatio').message).toBe("gpuAlerts: `memoryRatio: '0.9'` is a string, not a number (a ratio above vLLM's usual claim of 0.9: 0.97 is 97%)");
    expect(at('routerSlos.objectives.availability').message).toContain('(a percent: 99.9 is 99.9%)');
    expect(at('runtime.runtimes[1]').message).toContain('is not one of vllm, sglang');
    expect(at('runtime.selector.app.kubernetes.io/name').message).toContain('not a valid label name');
  });

  it('a misspelt selector label is reported once, not once per query the factory builds', () => {
    const specs = specFixture({ 'alerts/vllm.ts': "import * as content from 'infermon/content';\n\nexport const chatAlerts = content.vllmAlerts({ selector: { namespce: 'chat' }, dashboard: false });\n" });
    dirs.push(specs);
    const r = cli(['check', '--specs', specs, '--format', 'json'], specs);
    expect(r.status).toBe(1);
    const diagnostics = JSON.parse(r.stdout) as Array<{ code: string; line: number; path: string; message: string }>;
    expect(diagnostics.map((d) => [d.code, d.line, d.path])).toEqual([['promql/unknown-label', 3, 'chatAlerts.rules[0].expr']]);
    expect(diagnostics[0]!.message).toMatch(/\(did you mean `namespace`\?\).*; the same label `namespce` is in \d+ more queries built on this line \(chatAlerts\.rules\[1\]\.expr, /);
  });

  it('a config that passes its check builds exactly what the factory built before the check', () => {
    const config = { name: 'chat', selector: { namespace: 'chat' }, kvCacheWarning: 0.95 };
    const built = content.vllmAlerts(config);
    expect(built).not.toHaveProperty('rejectedOptions');
    const rejected: SpecDeclaration = content.vllmAlerts({ ...config, errorRatio: 5 });
    // The rejected option is left out, the rest still applies, so a spec reading the rules keeps loading.
    expect(rejected.rejectedOptions?.problems.map((p) => p.path)).toEqual([['errorRatio']]);
    expect(rejected.spec).toEqual(built.spec);
  });

  it('thresholds at the edges of their ranges keep their promtool tests firing and quiet', async () => {
    const edges = [
      { name: 'low', kv: 0.001, error: 0.001, router: 0.001, memory: 0.901, utilisation: 0.5, celsius: 40, throughput: 0.01 },
      { name: 'high', kv: 0.999, error: 0.999, router: 0.999, memory: 0.999, utilisation: 99.5, celsius: 120, throughput: 100000 },
    ];
    const file = [
      "import * as content from 'infermon/content';",
      ...edges.flatMap((e) => [
        `export const ${e.name}Vllm = content.vllmAlerts({ name: '${e.name}-vllm', selector: { namespace: '${e.name}' }, kvCacheWarning: ${e.kv}, errorRatio: ${e.error}, dashboard: false });`,
        `export const ${e.name}Router = content.kthenaRouterAlerts({ name: '${e.name}-router', selector: { namespace: '${e.name}' }, errorRatio: ${e.router}, dashboard: false });`,
        `export const ${e.name}Gpu = content.gpuAlerts({ name: '${e.name}-gpu', selector: { namespace: '${e.name}' }, memoryRatio: ${e.memory}, utilizationPercent: ${e.utilisation}, temperatureCelsius: ${e.celsius}, dashboard: false });`,
        `export const ${e.name}Faults = content.gpuFaultRules({ name: '${e.name}-faults', selector: { namespace: '${e.name}' }, throttleCelsius: ${e.celsius}, dashboard: false });`,
        `export const ${e.name}Kthena = content.kthenaInferenceAlerts({ name: '${e.name}-kthena', selector: { namespace: '${e.name}' }, minThroughput: ${e.throughput}, dashboard: false });`,
      ]),
      '',
    ].join('\n');
    const specs = specFixture({ 'alerts/edges.ts': file });
    dirs.push(specs);
    const { model, diagnostics } = await buildModel(specs, specs);
    expect(diagnostics.errors).toEqual([]);
    checkModel(model!, diagnostics);
    expect(diagnostics.errors).toEqual([]);

    const out = mkdtempSync(join(FIXTURE_ROOT, 'out-'));
    dirs.push(out);
    writeTree(join(out, 'tree'), generateArtifacts(model!));
    const tests = join(out, 'tree', OUT.prometheusTests);
    const cases = readdirSync(tests).filter((f) => edges.some((e) => f.startsWith(`${e.name}-`)));
    expect(cases).toHaveLength(10);
    const r = runTool('promtool', ['test', 'rules', ...cases], { cwd: tests });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
