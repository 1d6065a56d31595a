import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel, checkModel, generateArtifacts } from '../../src/pipeline.ts';
import { writeTree } from '../../src/emit/write.ts';
import { OUT } from '../../src/conventions.ts';
import { FIXTURE_ROOT, specFixture } from '../support/spec-fixture.ts';
import { runTool } from '../support/tools.ts';
import { maybeText } from '../support/artifacts.ts';

/**
 * Two vLLM fleets in two namespaces, each with its own deployment of the source and its own instance of
 * every bundled factory: the platform generates without a conflict, and promtool accepts the rules and
 * their unit tests.
 */
const twoFleets = `
import { deploySource } from 'infermon';
import { vllm, kthenaRouter, dcgm } from 'infermon/catalog';
import * as content from 'infermon/content';

const fleets = [
  { name: 'chat', namespace: 'inference' },
  { name: 'code', namespace: 'rag-app' },
] as const;

export const [chatVllm, codeVllm] = fleets.map((f) => deploySource(vllm, { name: \`vllm-\${f.name}\`, namespace: f.namespace }));
export const [chatRouter, codeRouter] = fleets.map((f) => deploySource(kthenaRouter, { name: \`router-\${f.name}\`, namespace: f.namespace }));
export const [chatDcgm, codeDcgm] = fleets.map((f) => deploySource(dcgm, { name: \`dcgm-\${f.name}\`, namespace: f.namespace }));

const scope = (f: (typeof fleets)[number]) => ({ name: f.name, selector: { namespace: f.namespace } });
export const [chatRouterDashboard, codeRouterDashboard] = fleets.map((f) => content.kthenaRouterDashboard({ ...scope(f), links: false }));
export const [chatRuntimeDashboard, codeRuntimeDashboard] = fleets.map((f) => content.llmRuntimeDashboard({ ...scope(f), runtimes: ['vllm'], links: false }));
export const [chatGpuDashboard, codeGpuDashboard] = fleets.map((f) => content.gpuDashboard({ ...scope(f), links: false }));
export const [chatVllmAlerts, codeVllmAlerts] = fleets.map((f, i) => content.vllmAlerts({ ...scope(f), dashboard: \`\${f.name}-llm-runtime\`, kvCacheWarning: i === 0 ? 0.9 : 0.95, errorRatio: i === 0 ? 0.05 : 0.3 }));
export const [chatVllmRules, codeVllmRules] = fleets.map((f) => content.vllmRecordingRules({ ...scope(f), name: \`\${f.name}-vllm\` }));
export const [chatVllmSlos, codeVllmSlos] = fleets.map((f) => content.vllmSlos({ ...scope(f), name: \`\${f.name}-vllm\` }));
export const [chatRouterAlerts, codeRouterAlerts] = fleets.map((f) => content.kthenaRouterAlerts({ ...scope(f), name: \`\${f.name}-router\`, job: \`router-\${f.name}\`, dashboard: \`\${f.name}-kthena-router\` }));
export const [chatRouterRules, codeRouterRules] = fleets.map((f) => content.kthenaRouterRecordingRules({ ...scope(f), name: \`\${f.name}-router\` }));
export const [chatRouterSlos, codeRouterSlos] = fleets.map((f) => content.kthenaRouterSlos({ ...scope(f), name: \`\${f.name}-router\`, perModel: { [\`\${f.name}-model\`]: { availability: 99.5 } } }));
export const [chatGpuAlerts, codeGpuAlerts] = fleets.map((f, i) => content.gpuAlerts({ ...scope(f), name: \`\${f.name}-gpu\`, dashboard: \`\${f.name}-gpu\`, temperatureCelsius: i === 0 ? 85 : 88, memoryRatio: i === 0 ? 0.97 : 0.995 }));
export const [chatGpuRules, codeGpuRules] = fleets.map((f) => content.gpuRecordingRules({ ...scope(f), name: \`\${f.name}-gpu\` }));
export const [chatGpuFaults, codeGpuFaults] = fleets.map((f) => content.gpuFaultRules({ ...scope(f), name: \`\${f.name}-gpu-faults\`, dashboard: \`\${f.name}-gpu\` }));
export const [chatGoodput, codeGoodput] = fleets.map((f) => content.goodputSlos({ ...scope(f), name: \`\${f.name}-goodput\`, models: [\`\${f.name}-model\`] }));
export const [chatKthena, codeKthena] = fleets.map((f) => content.kthenaInferenceAlerts({ ...scope(f), name: \`\${f.name}-kthena\`, dashboard: false }));
export const [chatKthenaSlos, codeKthenaSlos] = fleets.map((f) => content.kthenaInferenceSlos({ ...scope(f), name: \`\${f.name}-kthena\` }));
export const [chatMoe, codeMoe] = fleets.map((f) => content.moeRouterAlerts({ ...scope(f), name: \`\${f.name}-moe\`, dashboard: false }));
export const [chatRag, codeRag] = fleets.map((f) => content.ragAlerts({ ...scope(f), name: \`\${f.name}-rag\`, dashboard: false }));
export const [chatRagSlos, codeRagSlos] = fleets.map((f) => content.ragSlos({ ...scope(f), name: \`\${f.name}-rag\` }));
export const [chatArksSlos, codeArksSlos] = fleets.map((f) => content.arksGatewaySlos({ ...scope(f), name: \`\${f.name}-arks\` }));
`;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('bundled content instantiated once per deployment', () => {
  it('two vLLM fleets in two namespaces generate without conflicts and pass promtool', async () => {
    const specs = specFixture({ 'fleets.ts': twoFleets });
    dirs.push(specs);
    const { model, diagnostics } = await buildModel(specs, specs);
    expect(model).toBeDefined();
    checkModel(model!, diagnostics);
    expect(diagnostics.errors).toEqual([]);

    const artifacts = generateArtifacts(model!);
    const body = (path: string) => maybeText(artifacts.find((a) => a.path === path)) ?? '';
    const chat = body(`${OUT.prometheusRules}/chat-alerts.yml`);
    const code = body(`${OUT.prometheusRules}/code-alerts.yml`);
    expect(chat).toContain('vllm:kv_cache_usage_perc{namespace="inference"}) > 0.9');
    expect(code).toContain('vllm:kv_cache_usage_perc{namespace="rag-app"}) > 0.95');
    // Each instance links its own dashboard, and its runbook queries read its own namespace.
    expect(chat).toContain('dashboard_url: https://grafana.example.com/d/infermon-chat-llm-runtime');
    expect(body(`${OUT.prometheusRules}/chat-router-alerts.yml`)).toContain('absent(up{namespace="inference", job="router-chat"})');
    const monitors = artifacts.map((a) => a.path).filter((p) => /monitors\/vllm-(chat|code)\.yaml$/.test(p));
    expect(monitors).toHaveLength(2);

    const out = mkdtempSync(join(FIXTURE_ROOT, 'out-'));
    dirs.push(out);
    writeTree(join(out, 'tree'), artifacts);
    const rules = join(out, 'tree', OUT.prometheusRules);
    const tests = join(out, 'tree', OUT.prometheusTests);
    const check = runTool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...readdirSync(rules).map((f) => join(rules, f))]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    // The scoped alert groups and one scoped SLO service per fleet; SLO windows are proven on the example specs.
    const cases = readdirSync(tests).filter((f) => !f.startsWith('slo-') || f.startsWith('slo-code-vllm') || f.startsWith('slo-chat-vllm'));
    const r = runTool('promtool', ['test', 'rules', ...cases], { cwd: tests });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
