import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { mergePackageJson } from '../../src/cli/init/package-json.ts';
import { selectableSourceNames } from '../../src/cli/init/sources.ts';
import { cli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { FIXTURE_ROOT } from '../support/spec-fixture.ts';
import { runTool } from '../support/tools.ts';
import { treeSnapshot } from './tree.ts';

/**
 * `infermon init` from the sources: every source alone, the default set and all of them together give
 * specs that check without a single diagnostic, and the command never replaces a file.
 */

const run = promisify(execFile);
const TSX = join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const MAIN = join(PROJECT_ROOT, 'src', 'cli', 'main.ts');

function scaffold(sources: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'infermon-init-')), 'platform-monitoring');
  const r = cli(['init', dir, '--sources', sources], tmpdir());
  expect(r.status, r.stderr).toBe(0);
  return dir;
}

/**
 * The scaffold's specs, moved inside this package so `'infermon'` resolves to the sources under test
 * (a scaffold's own package.json would make it a different package).
 */
function specsInPackage(dir: string): string {
  mkdirSync(FIXTURE_ROOT, { recursive: true });
  const root = mkdtempSync(join(FIXTURE_ROOT, 'init-'));
  cpSync(join(dir, 'specs'), join(root, 'specs'), { recursive: true });
  return root;
}

async function diagnosticsOf(root: string): Promise<unknown[]> {
  const { stdout } = await run(process.execPath, [TSX, '--conditions=infermon-source', MAIN, 'check', '--format', 'json'], { cwd: root });
  return JSON.parse(stdout) as unknown[];
}

const ALL = selectableSourceNames().join(',');
const SELECTIONS = [...selectableSourceNames(), 'vllm,dcgm,kthena-router', ALL];

describe('infermon init', () => {
  it('accepts exactly the catalog sources a platform runs itself', () => {
    expect(selectableSourceNames()).toEqual(['arks-gateway', 'dcgm', 'k6', 'kthena-inference', 'kthena-router', 'moe-router', 'otel-genai', 'otel-spanmetrics', 'rag-backend', 'sglang', 'vllm']);
  });

  it.each([[['init', '--help']], [['help', 'init']]])('lists the valid sources in its help (%j)', (args) => {
    const r = cli(args, tmpdir());
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(`--sources <names> comma-separated catalog sources to monitor: ${selectableSourceNames().join(', ')} (default:`);
  });

  it('keeps `help` of an unknown command an error', () => {
    const r = cli(['help', 'nosuch'], tmpdir());
    expect(r.status).toBe(1);
  });

  it('rejects an unknown source in one line that lists the valid ones, and writes nothing', () => {
    const parent = mkdtempSync(join(tmpdir(), 'infermon-init-'));
    const r = cli(['init', join(parent, 'repo'), '--sources', 'vllm,tgi'], parent);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('tgi');
    expect(r.stderr).toContain(selectableSourceNames().join(', '));
    expect(readdirSync(parent)).toEqual([]);
  });

  it('scaffolds specs that check without a diagnostic for every source alone, the default set and all sources', async () => {
    const results = await Promise.all(
      SELECTIONS.map(async (sources) => ({ sources, diagnostics: await diagnosticsOf(specsInPackage(scaffold(sources))) })),
    );
    for (const { sources, diagnostics } of results) expect(diagnostics, `--sources ${sources}`).toEqual([]);
  });

  it('wires only content the chosen sources feed, and links only dashboards that exist', () => {
    const dir = scaffold('vllm,dcgm');
    const specs = (sub: string) => readdirSync(join(dir, 'specs', sub)).sort();
    expect(specs('alerts')).toEqual(['dcgm.ts', 'vllm.ts']);
    expect(specs('dashboards')).toEqual(['gpu.ts', 'llm-runtime.ts', 'slos.ts']);
    const runtime = readFileSync(join(dir, 'specs', 'dashboards', 'llm-runtime.ts'), 'utf8');
    expect(runtime).toContain("runtimes: ['vllm']");
    expect(runtime).toContain("links: ['gpu']");
    const routing = readFileSync(join(dir, 'specs', 'routing.ts'), 'utf8');
    expect(routing).toContain('team="gpu-infra"');
    expect(routing).toContain('team="inference-runtime"');
    expect(routing).toContain("secret: { name: 'alertmanager-slack'");
    expect(readFileSync(join(dir, 'specs', 'sources.ts'), 'utf8')).toContain("export { dcgm, vllm } from 'infermon/catalog';");
  });

  // Their unit tests run in the packaging test and, for every bundled group, over this repository's out/.
  it('generates rules that promtool loads for all sources together', async () => {
    const root = specsInPackage(scaffold(ALL));
    await run(process.execPath, [TSX, '--conditions=infermon-source', MAIN, 'generate'], { cwd: root });
    const rules = join(root, 'out', 'prometheus', 'rules');
    const check = runTool('promtool', ['check', 'rules', ...readdirSync(rules).map((f) => join(rules, f))]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });

  it('below the root of a git repository, puts a workflow of the folder\'s own at the root, working in and watching the folder, and the GitLab jobs in a file to include', () => {
    const repo = mkdtempSync(join(tmpdir(), 'infermon-init-monorepo-'));
    mkdirSync(join(repo, '.git'));
    const r = cli(['init', 'gitops/monitoring', '--sources', 'vllm'], repo);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^created\s+\.\.\/\.\.\/\.github\/workflows\/infermon-gitops-monitoring\.yml$/m);
    expect(r.stdout).toMatch(/^ {2}cd gitops\/monitoring$/m);
    expect(r.stdout).toContain('include gitops/monitoring/infermon.gitlab-ci.yml');
    expect(existsSync(join(repo, 'gitops', 'monitoring', '.github'))).toBe(false);
    expect(existsSync(join(repo, '.gitlab-ci.yml'))).toBe(false);

    const workflow = parse(readFileSync(join(repo, '.github', 'workflows', 'infermon-gitops-monitoring.yml'), 'utf8')) as {
      on: Record<string, { paths?: string[] }>;
      jobs: { check: { defaults?: { run: Record<string, string> }; steps: Array<{ uses?: string; with?: Record<string, unknown> }> } };
    };
    expect(workflow.on.push?.paths).toEqual(['gitops/monitoring/**']);
    expect(workflow.on.pull_request?.paths).toEqual(['gitops/monitoring/**']);
    expect(workflow.jobs.check.defaults?.run['working-directory']).toBe('gitops/monitoring');
    const setupNode = workflow.jobs.check.steps.find((step) => step.uses?.startsWith('actions/setup-node'));
    expect(setupNode?.with?.['cache-dependency-path']).toBe('gitops/monitoring/package-lock.json');

    // Included into the repository's pipeline: no stages of its own, GitLab's default ones, jobs named after the folder.
    const gitlab = parse(readFileSync(join(repo, 'gitops', 'monitoring', 'infermon.gitlab-ci.yml'), 'utf8')) as Record<string, { script?: string[]; stage?: string }>;
    expect(Object.keys(gitlab).filter((key) => !key.startsWith('gitops/monitoring '))).toEqual([]);
    const jobs = Object.values(gitlab);
    expect(jobs.length).toBeGreaterThan(1);
    for (const job of jobs) {
      expect(job.script![0]).toBe('cd gitops/monitoring');
      expect(['build', 'test']).toContain(job.stage);
    }

    // A second platform folder in the same repository gets a workflow of its own.
    const second = cli(['init', 'gitops/staging', '--sources', 'vllm'], repo);
    expect(second.status, second.stderr).toBe(0);
    expect(readdirSync(join(repo, '.github', 'workflows')).sort()).toEqual(['infermon-gitops-monitoring.yml', 'infermon-gitops-staging.yml']);
  });

  it('keeps every existing file and changes nothing when run again', () => {
    const dir = scaffold('vllm,dcgm,kthena-router');
    writeFileSync(join(dir, 'README.md'), '# ours\n');
    const before = treeSnapshot(dir);
    const again = cli(['init', dir, '--sources', 'vllm,dcgm,kthena-router'], tmpdir());
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/^(created|completed)/m);
    expect(again.stdout).toMatch(/^kept\s+README\.md$/m);
    expect(treeSnapshot(dir)).toEqual(before);
  });

  it('for sources added later, writes their new files, keeps the existing ones and notes the lines they lack', () => {
    const dir = scaffold('vllm,dcgm');
    const stackFile = join(dir, 'specs', 'stack.ts');
    writeFileSync(stackFile, readFileSync(stackFile, 'utf8').replace(/runbookBaseUrl: '[^']*'/, "runbookBaseUrl: 'https://runbooks.acme.test'"));
    const before = treeSnapshot(dir);
    const again = cli(['init', dir, '--sources', 'vllm,dcgm,kthena-router,sglang'], tmpdir());
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^created\s+specs\/alerts\/kthena-router\.ts$/m);
    const after = treeSnapshot(dir);
    for (const [path, text] of Object.entries(before)) expect(after[path], path).toBe(text);
    expect(again.stdout).toContain(
      "note: kept specs/sources.ts lacks these lines init writes for --sources dcgm,kthena-router,sglang,vllm; bring it in step by hand:\n  export { dcgm, kthenaRouter, sglang, vllm } from 'infermon/catalog';\n",
    );
    expect(again.stdout).toMatch(/^note: kept specs\/dashboards\/llm-runtime\.ts .*\n(?: {2}.*\n)*? {4}runtimes: \['vllm', 'sglang'\],$/m);
    // The runbook URL is the team's to set, not the sources': never noted.
    expect(again.stdout).not.toContain('runbookBaseUrl');
    // Nor is anything noted for the sources the kept files were scaffolded for.
    expect(cli(['init', dir, '--sources', 'vllm,dcgm'], tmpdir()).stdout).not.toMatch(/^note:/m);
  });

  it('completes a package.json that npm wrote, never changing a value the user set', () => {
    const wanted = {
      name: 'platform-monitoring',
      type: 'module',
      scripts: { generate: 'infermon generate', check: 'infermon check' },
      devDependencies: { infermon: '^0.1.0', typescript: '^5.9.3' },
    };
    const existing = { scripts: { generate: 'make generate' }, dependencies: { infermon: '^0.1.0' } };
    const { merged, added } = mergePackageJson(existing, wanted);
    expect(added).toEqual(['name', 'type', 'scripts.check', 'devDependencies.typescript']);
    expect(merged).toEqual({
      name: 'platform-monitoring',
      type: 'module',
      devDependencies: { typescript: '^5.9.3' },
      scripts: { generate: 'make generate', check: 'infermon check' },
      dependencies: { infermon: '^0.1.0' },
    });
    expect(mergePackageJson(merged, wanted).added).toEqual([]);
  });
});
