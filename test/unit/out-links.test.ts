import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stack } from '../../specs/stack.ts';
import { OUT_DIR } from '../support/paths.ts';

/**
 * Every link the generated tree hands to people resolves inside the same tree: runbook URLs to a runbook
 * page that is written, dashboard URLs to a dashboard whose UID is generated, relative links between
 * pages to files that exist. Runbook pages read without template syntax.
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
    expect(bundled.length).toBe(17);
    for (const page of bundled) {
      const text = readFileSync(join(runbookDir, page), 'utf8');
      expect(text, page).toMatch(/## First checks\n\n1\. (?!Open the dashboard linked)/);
      expect(text, page).toContain('## Queries');
    }
  });
});
