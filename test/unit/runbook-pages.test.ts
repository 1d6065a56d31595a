import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { parse } from 'yaml';
import { buildModel, checkModel, generateArtifacts } from '../../src/pipeline.ts';
import { OUT } from '../../src/conventions.ts';
import { stack } from '../../specs/stack.ts';
import { specFixture } from '../support/spec-fixture.ts';
import { maybeText } from '../support/artifacts.ts';

/**
 * One runbook page per alert that reads its own way: a bundled factory instantiated twice gets a page per
 * instance, each alert's runbook_url leads to its own, and a name declared once keeps its plain page.
 */
const twoInstances = `
import * as content from 'infermon/content';

export const vllmAlerts = content.vllmAlerts({ dashboard: false });
export const chatVllmAlerts = content.vllmAlerts({ name: 'chat', selector: { namespace: 'chat' }, kvCacheWarning: 0.95, dashboard: false });
export const gpuAlerts = content.gpuAlerts({ dashboard: false });
`;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type RuleFile = { groups: Array<{ rules: Array<{ alert?: string; expr: string; annotations?: Record<string, string> }> }> };

describe('runbook pages', () => {
  it('give every instance of a twice-instantiated factory its own page, and keep unique names on their plain page', async () => {
    const specs = specFixture({ 'alerts.ts': twoInstances });
    dirs.push(specs);
    const { model, diagnostics } = await buildModel(specs, specs);
    checkModel(model!, diagnostics);
    expect(diagnostics.errors).toEqual([]);

    const artifacts = generateArtifacts(model!);
    const pages = new Map(artifacts.filter((a) => a.path.startsWith(`${OUT.docs}/runbooks/`)).map((a) => [a.path.slice(`${OUT.docs}/runbooks/`.length), maybeText(a)!]));
    expect([...pages.keys()].filter((p) => p.startsWith('VllmKvCacheNearlyFull'))).toEqual([
      'VllmKvCacheNearlyFull-chat-alerts.md',
      'VllmKvCacheNearlyFull-vllm-alerts.md',
      'VllmKvCacheNearlyFull.md',
    ]);
    // The plain name, the page the first deployment linked alone, now lists both deployments' pages.
    const index = pages.get('VllmKvCacheNearlyFull.md')!;
    expect(index).toContain('[VllmKvCacheNearlyFull-chat-alerts](VllmKvCacheNearlyFull-chat-alerts.md)');
    expect(index).toContain('[VllmKvCacheNearlyFull-vllm-alerts](VllmKvCacheNearlyFull-vllm-alerts.md)');
    expect(index).toContain('group `chat.alerts`');
    expect(index).not.toContain('```promql');
    expect(pages.has('GpuMemoryHigh.md')).toBe(true);

    const base = `${stack.spec.runbookBaseUrl.replace(/\/$/, '')}/`;
    const alerts = artifacts
      .filter((a) => a.path.startsWith(`${OUT.prometheusRules}/`) && a.path.endsWith('.yml'))
      .flatMap((a) => (parse(maybeText(a)!) as RuleFile).groups.flatMap((g) => g.rules.filter((r) => r.alert)));
    expect(alerts.filter((a) => a.alert === 'VllmKvCacheNearlyFull')).toHaveLength(2);
    for (const alert of alerts) {
      const url = alert.annotations!.runbook_url!;
      expect(url.startsWith(base), url).toBe(true);
      const page = pages.get(url.slice(base.length));
      expect(page, url).toBeDefined();
      // The page it links describes that very alert: its own expression.
      expect(page, url).toContain(alert.expr);
    }
    expect(pages.get('VllmKvCacheNearlyFull-chat-alerts.md')).toContain('kubectl logs -n chat');
    expect(pages.get('VllmKvCacheNearlyFull-vllm-alerts.md')).not.toContain('kubectl logs -n chat');
    // A name declared once has no index: its own page sits under the plain name.
    expect(pages.get('GpuMemoryHigh.md')).toContain('```promql');
  });

  it('keep the plain page of an alert when a second deployment of it is added', async () => {
    const once = specFixture({ 'alerts.ts': "import * as content from 'infermon/content';\nexport const vllmAlerts = content.vllmAlerts({ dashboard: false });\n" });
    const twice = specFixture({ 'alerts.ts': twoInstances });
    dirs.push(once, twice);
    const runbookNames = async (dir: string) => {
      const { model } = await buildModel(dir, dir);
      return new Set(generateArtifacts(model!).filter((a) => a.path.startsWith(`${OUT.docs}/runbooks/`)).map((a) => a.path));
    };
    const before = await runbookNames(once);
    const after = await runbookNames(twice);
    expect([...before].filter((page) => !after.has(page))).toEqual([]);
  });
});
