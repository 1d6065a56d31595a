import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { logs } from '../../specs/logs.ts';
import { logSelectors } from '../../src/logql/analyze.ts';
import { stack } from '../../specs/stack.ts';
import { OUT_DIR } from '../support/paths.ts';

/**
 * Every link the generated tree hands to people resolves inside the same tree: runbook URLs to a runbook
 * page that is written, dashboard URLs to a dashboard whose UID is generated, logs URLs to Grafana Explore on
 * the provisioned Loki datasource with a query of a declared stream, relative links between pages to files
 * that exist. Runbook pages read without template syntax.
 */

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = join(dir, entry);
      return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });
}

const files = filesUnder(OUT_DIR);
const texts = files.map((file) => ({ file: relative(OUT_DIR, file), text: readFileSync(file, 'utf8') }));
const runbookBase = stack.spec.runbookBaseUrl.replace(/\/$/, '');
const grafana = (stack.spec.grafanaUrl ?? '').replace(/\/$/, '');
const runbookDir = join(OUT_DIR, 'docs', 'runbooks');
const dashboardUids = new Set(
  filesUnder(join(OUT_DIR, 'grafana', 'dashboards')).map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { uid: string }).uid),
);
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every occurrence of a URL under `base`, with the file it is in. */
function linksUnder(base: string): Array<{ file: string; url: string }> {
  const pattern = new RegExp(`${escaped(base)}/[^\\s"'<>)|\\]]*`, 'g');
  return texts.flatMap(({ file, text }) => [...text.matchAll(pattern)].map((m) => ({ file, url: m[0] })));
}

describe('links in out/', () => {
  it('every runbook URL names a generated runbook page', () => {
    const links = linksUnder(runbookBase);
    expect(links.length).toBeGreaterThan(0);
    const broken = links.filter(({ url }) => !existsSync(join(runbookDir, url.slice(runbookBase.length + 1)))).map(({ file, url }) => `${file}: ${url}`);
    expect([...new Set(broken)]).toEqual([]);
  });

  it('every dashboard URL names the UID of a generated dashboard', () => {
    const links = linksUnder(`${grafana}/d`);
    expect(links.length).toBeGreaterThan(0);
    const broken = links.filter(({ url }) => !dashboardUids.has(url.slice(grafana.length + 3).split(/[/?#]/)[0]!)).map(({ file, url }) => `${file}: ${url}`);
    expect([...new Set(broken)]).toEqual([]);
  });

  it('every logs URL opens Explore on the provisioned Loki datasource with a query of a declared stream', () => {
    const provisioned = parse(readFileSync(join(OUT_DIR, 'grafana', 'provisioning', 'datasources.yaml'), 'utf8')) as { datasources: Array<{ type: string; uid: string }> };
    const lokiUids = new Set(provisioned.datasources.filter((d) => d.type === 'loki').map((d) => d.uid));
    const streams = logs.spec.streams.map((s) => `${s.namespace}/${s.app}`);
    const links = linksUnder(grafana).filter(({ url }) => url.startsWith(`${grafana}/explore?`));
    expect(links.length).toBeGreaterThan(0);
    const broken = links.flatMap(({ file, url }) => {
      const panes = JSON.parse(new URL(url).searchParams.get('panes') ?? '{}') as Record<string, { datasource: string; queries: Array<{ expr: string; datasource: { type: string; uid: string } }> }>;
      const queries = Object.values(panes).flatMap((p) => p.queries.map((q) => ({ ...q, pane: p.datasource })));
      const selected = queries.flatMap((q) =>
        logSelectors(q.expr).map((m) => `${m.find((x) => x.label === 'namespace')?.value}/${m.find((x) => x.label === 'app')?.value}`),
      );
      const ok =
        queries.length > 0 &&
        queries.every((q) => q.datasource.type === 'loki' && lokiUids.has(q.datasource.uid) && q.pane === q.datasource.uid) &&
        selected.length > 0 &&
        selected.every((s) => streams.includes(s));
      return ok ? [] : [`${file}: ${url}`];
    });
    expect([...new Set(broken)]).toEqual([]);
  });

  it('the alerts whose target ships its logs link them, in the rules, the Loki ruler and the runbooks', () => {
    const linking = (file: string) => texts.find((t) => t.file === file)!.text.match(/logs_url: /g)?.length ?? 0;
    const alerts = (file: string) => texts.find((t) => t.file === file)!.text.match(/- alert: /g)?.length ?? 0;
    for (const file of ['prometheus/rules/kthena-router-alerts.yml', 'prometheus/rules/moe-router-alerts.yml', 'loki/rules/log-alerts.yml'])
      expect(linking(file), file).toBe(alerts(file));
    // The GPU exporter's pods ship no stream here: its alerts link none.
    expect(linking('prometheus/rules/gpu-alerts.yml')).toBe(0);
    const page = texts.find((t) => t.file === 'docs/runbooks/KthenaRouterDown.md')!.text;
    expect(page).toContain(`**Logs:** [Grafana Explore](${grafana}/explore?`);
  });

  it('every alert of the bundled router, vLLM and GPU content links its dashboard', () => {
    const rules = texts.filter(({ file }) => /^prometheus\/rules\/(kthena-router|vllm|gpu)-alerts\.yml$/.test(file));
    expect(rules).toHaveLength(3);
    for (const { file, text } of rules) {
      const alerts = text.match(/- alert: /g)?.length ?? 0;
      expect(text.match(/dashboard_url: /g)?.length, file).toBe(alerts);
    }
  });

  it('relative links between documentation pages point at files that exist', () => {
    const broken: string[] = [];
    for (const { file, text } of texts.filter((t) => t.file.endsWith('.md')))
      for (const m of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(join(OUT_DIR, dirname(file), target))) broken.push(`${file}: ${target}`);
      }
    expect(broken).toEqual([]);
  });

  it('runbook pages carry no raw alert template placeholders', () => {
    const pages = texts.filter(({ file }) => file.startsWith('docs/runbooks/'));
    expect(pages.length).toBeGreaterThan(0);
    const raw = pages.filter(({ text }) => /\{\{\s*\$(labels|value|externalLabels)/.test(text)).map(({ file }) => file);
    expect(raw).toEqual([]);
  });

  it('the runbook pages of the bundled router, vLLM and GPU alerts have first checks and queries of their own', () => {
    const bundled = readdirSync(runbookDir).filter((f) => /^(KthenaRouter(?!5xx)|Vllm|Gpu)/.test(f));
    expect(bundled.length).toBe(18);
    for (const page of bundled) {
      const text = readFileSync(join(runbookDir, page), 'utf8');
      expect(text, page).toMatch(/## First checks\n\n1\. (?!Open the dashboard linked)/);
      expect(text, page).toContain('## Queries');
    }
  });
});
