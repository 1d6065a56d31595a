import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/model/diagnostics.ts';
import { buildModel, checkModel, generateArtifacts } from '../../src/pipeline.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { specFixture } from '../support/spec-fixture.ts';
import { artifactText } from '../../src/emit/render.ts';

/**
 * The bundled dashboards as a user instantiates them from `infermon/content/dashboards`: narrowed by
 * their config, and instantiated once per deployment under a name and a namespace selector.
 */

interface Platform {
  diagnostics: Diagnostic[];
  /** Generated dashboard JSON by dashboard id. */
  dashboards: Map<string, DashboardJson>;
}

interface DashboardJson {
  uid: string;
  title: string;
  panels: Array<{ type: string; targets?: Array<{ expr: string }> }>;
  templating: { list: unknown[] };
}

async function platform(files: Record<string, string>): Promise<Platform> {
  const built = await buildModel(specFixture(files), PROJECT_ROOT);
  expect(built.model, built.diagnostics.items.map((d) => d.message).join('\n')).toBeDefined();
  const diagnostics = checkModel(built.model!, built.diagnostics);
  const dashboards = new Map<string, DashboardJson>();
  if (!diagnostics.hasErrors)
    for (const a of generateArtifacts(built.model!).filter((a) => /^grafana\/dashboards\/[^/]+\.json$/.test(a.path)))
      dashboards.set(a.path.replace(/^.*\/|\.json$/g, ''), JSON.parse(artifactText(a)) as DashboardJson);
  return { diagnostics: diagnostics.items, dashboards };
}

const targets = (d: DashboardJson) => d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
const summary = (items: Diagnostic[]) => items.map((d) => `${d.severity} ${d.code} ${d.path}: ${d.message}`);

describe('bundled dashboards from infermon/content/dashboards', () => {
  it('shows vLLM alone, with no links, when the platform runs no SGLang and no other dashboard', async () => {
    const { diagnostics, dashboards } = await platform({
      'dashboards/runtime.ts': `
import { llmRuntimeDashboard } from 'infermon/content/dashboards';
export const runtime = llmRuntimeDashboard({ runtimes: ['vllm'], links: false });
`,
    });
    expect(summary(diagnostics)).toEqual([]);
    expect([...dashboards.keys()]).toEqual(['llm-runtime']);
    const json = JSON.stringify(dashboards.get('llm-runtime'));
    expect(json).not.toMatch(/sglang/i);
    expect(json).toContain('vllm:');
  });

  const FACTORIES = {
    arksGatewayDashboard: 'arks-gateway',
    gpuDashboard: 'gpu',
    kthenaOverviewDashboard: 'kthena-overview',
    kthenaRouterDashboard: 'kthena-router',
    llmRuntimeDashboard: 'llm-runtime',
    modelDrilldownDashboard: 'model-drilldown',
    moeRouterDashboard: 'moe-router',
    ragOverviewDashboard: 'rag-overview',
    sloDashboard: 'slos',
  } as const;
  const INSTANCES = { chat: 'chat-serving', batch: 'batch-serving' } as const;

  /** Every factory under one name; the SLO dashboard has no queries of its own, so it takes no selector. */
  function instance(name: string, namespace: string): string {
    const config = `{ name: '${name}', selector: { namespace: '${namespace}' } }`;
    const lines = Object.keys(FACTORIES).map(
      (factory) => `export const ${name}${factory} = ${factory}(${factory === 'sloDashboard' ? `{ name: '${name}' }` : config});`,
    );
    return `import { ${Object.keys(FACTORIES).join(', ')} } from 'infermon/content/dashboards';\n${lines.join('\n')}\n`;
  }

  it('instantiates every dashboard once per deployment, each reading its own namespace', async () => {
    const { diagnostics, dashboards } = await platform(
      Object.fromEntries(Object.entries(INSTANCES).map(([name, namespace]) => [`dashboards/${name}.ts`, instance(name, namespace)])),
    );
    expect(summary(diagnostics.filter((d) => d.severity === 'error'))).toEqual([]);
    const ids = Object.values(FACTORIES).flatMap((id) => Object.keys(INSTANCES).map((name) => `${name}-${id}`));
    expect([...dashboards.keys()].sort()).toEqual([...ids].sort());
    expect(new Set([...dashboards.values()].map((d) => d.uid)).size).toBe(ids.length);
    expect(new Set([...dashboards.values()].map((d) => d.title)).size).toBe(ids.length);

    for (const [name, namespace] of Object.entries(INSTANCES)) {
      const other = Object.values(INSTANCES).find((ns) => ns !== namespace)!;
      for (const id of Object.values(FACTORIES)) {
        if (id === 'slos') continue;
        const dashboard = dashboards.get(`${name}-${id}`)!;
        const json = JSON.stringify(dashboard);
        expect(json, `${name}-${id}`).toContain(`namespace=\\"${namespace}\\"`);
        expect(json, `${name}-${id}`).not.toContain(other);
        // The Arks gateway's `namespace` is the token's: its variable carries the selector, its queries the
        // variable. k6 pushes its load-test series from outside any deployment, so they stay unscoped.
        for (const expr of targets(dashboard).filter((e) => !e.includes('k6_')))
          expect(expr.includes(`namespace="${namespace}"`) || expr.includes('namespace=~"$namespace"'), `${name}-${id}: ${expr}`).toBe(true);
      }
    }
  });

  it('tells a platform that instantiates a bundled dashboard twice without a name to pass `name` to the factory', async () => {
    const { diagnostics } = await platform({
      'dashboards/runtime.ts': `
import { llmRuntimeDashboard } from 'infermon/content/dashboards';
export const runtime = llmRuntimeDashboard({ runtimes: ['vllm'], links: false });
export const chatRuntime = llmRuntimeDashboard({ runtimes: ['vllm'], links: false, selector: { namespace: 'chat' } });
`,
    });
    const duplicate = diagnostics.filter((d) => d.code === 'dashboard/duplicate-id');
    expect(duplicate).toHaveLength(1);
    expect(duplicate[0]!.fix).toContain("pass `name` to its factory (`name: 'chat'` makes the id `chat-<its default id>`)");
  });
});
