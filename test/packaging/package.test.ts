import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../support/paths.ts';
import { TOOLS_BIN, runTool, type ToolResult } from '../support/tools.ts';
import { installPackedPackage } from './build.ts';
import { treeSnapshot } from './tree.ts';

/**
 * The package as users get it: packed, installed into a fresh repository outside this one, scaffolded
 * with `infermon init`, generated, and the output checked by promtool; the specs type-check against the
 * shipped declarations.
 */

const TIMEOUT = 600_000;
const SOURCES = 'vllm,dcgm,kthena-router';
const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };

const ok = (r: ToolResult) => [r.stdout, r.stderr].join('\n');

interface GithubWorkflow {
  jobs: Record<string, { defaults?: { run?: { 'working-directory'?: string } }; steps: Array<{ run?: string }> }>;
}

/** A command of a CI file that checks the repository: one line, and no install or download. */
const checks = (command: string) => !command.includes('\n') && !/^(npm ci|curl|chmod)\b/.test(command);

function githubChecks(workflow: GithubWorkflow): string[] {
  return Object.values(workflow.jobs)
    .flatMap((job) => job.steps.flatMap((step) => (step.run ? [step.run.trim()] : [])))
    .filter(checks);
}

/** Each GitLab job's check lines, in order: a job's script lines run in one shell, `cd` included. */
function gitlabJobs(pipeline: Record<string, unknown>): string[][] {
  return Object.values(pipeline).flatMap((job) =>
    typeof job === 'object' && job !== null && Array.isArray((job as { script?: unknown }).script) ? [(job as { script: string[] }).script.filter(checks)] : [],
  );
}

/** Runs a CI check with the pinned judges and the repository's installed commands on the PATH. */
function runCheck(command: string, cwd: string, bin: string): ToolResult {
  return runTool('bash', ['-c', command], { cwd, env: { ...process.env, PATH: [TOOLS_BIN, bin, process.env.PATH].join(delimiter) } });
}

let packedFiles: string[] = [];
let installLog = '';
let work = '';
let repo = '';

function inRepo(command: string, ...args: string[]): ToolResult {
  return runTool(join(repo, 'node_modules', '.bin', command), args, { cwd: repo });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'infermon-package-'));
  ({ packedFiles, repo, installLog } = installPackedPackage(work, ['typescript', '@types/node']));
}, TIMEOUT);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships the compiled tree, the templates, the bin and the router examples, and no sources, tests or output', () => {
    for (const file of ['dist/src/index.js', 'dist/src/index.d.ts', 'bin/infermon.mjs', 'package.json', 'dist/templates/init/specs/stack.ts.hbs', 'examples/router.yaml'])
      expect(packedFiles).toContain(file);
    expect(packedFiles.some((f) => f.startsWith('dist/templates/docs/'))).toBe(true);
    const leaked = packedFiles.filter((f) => /^(test|bench|out|specs|src)\//.test(f));
    expect(leaked).toEqual([]);
  });

  it('installs only what it needs once installed: its other dependencies are bundled into dist/', () => {
    // esbuild compiles the user's specs; zod's types are in the declarations the specs are checked against.
    const installed = JSON.parse(readFileSync(join(repo, 'node_modules', 'infermon', 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; scripts?: Record<string, string> };
    expect(Object.keys(installed.dependencies ?? {}).sort()).toEqual(['esbuild', 'zod']);
    // npm lists a dependency's install-time scripts for the user to approve; infermon has none.
    expect(Object.keys(installed.scripts ?? {}).filter((name) => /^(pre|post)?(install|prepare)$/.test(name))).toEqual([]);
    expect(installLog).not.toMatch(/EBADENGINE|infermon@[^ ]+ \(/);
  });

  it('prints its version', () => {
    const r = inRepo('infermon', '--version');
    expect(r.status, ok(r)).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it(
    'scaffolds a repository whose CI checks pass: the specs type-check, out/ is current, promtool, amtool and kubectl accept it',
    () => {
      const init = inRepo('infermon', 'init', '--sources', SOURCES);
      expect(init.status, ok(init)).toBe(0);
      expect(init.stdout).toMatch(/^created\s+specs\/stack\.ts$/m);
      // npm wrote package.json when infermon was installed; init adds the scripts and settings it lacked.
      expect(init.stdout).toMatch(/^completed\s+package\.json \(added .*scripts\.generate/m);
      // esbuild works from its platform package without its install script; the scaffold says so, and npm
      // (11.16 and later) no longer lists it among the scripts to review.
      expect((JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { allowScripts?: unknown }).allowScripts).toEqual({ esbuild: false });
      const reinstall = runTool('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: repo });
      expect(reinstall.status, ok(reinstall)).toBe(0);
      expect(ok(reinstall)).not.toMatch(/install-scripts|esbuild@/);

      const generate = runTool('npm', ['run', 'generate'], { cwd: repo });
      expect(generate.status, ok(generate)).toBe(0);

      // The checks both scaffolded CI files run pass in the scaffolded repository, with the pinned judges.
      const github = githubChecks(parse(readFileSync(join(repo, '.github', 'workflows', 'infermon.yml'), 'utf8')) as GithubWorkflow);
      const gitlab = gitlabJobs(parse(readFileSync(join(repo, '.gitlab-ci.yml'), 'utf8')) as Record<string, unknown>).flat();
      for (const commands of [github, gitlab]) {
        for (const expected of [
          'npx tsc --noEmit',
          'npx infermon generate --check',
          'promtool check rules out/prometheus/rules/*.yml',
          'promtool test rules out/prometheus/tests/*.test.yml',
          'amtool check-config out/alertmanager/alertmanager.yml',
          'npx infermon test-routes',
        ])
          expect(commands).toContain(expected);
        expect(commands.some((c) => c.startsWith('kubectl kustomize out/kubernetes'))).toBe(true);
      }
      for (const command of new Set([...github, ...gitlab])) {
        const r = runCheck(command, repo, join(repo, 'node_modules', '.bin'));
        expect(r.status, `${command}\n${ok(r)}`).toBe(0);
      }
    },
    TIMEOUT,
  );

  it(
    'scaffolds a folder of a monorepo whose CI files, at the repository root and included from it, pass their checks',
    () => {
      const mono = join(work, 'monorepo');
      const subdir = 'gitops/monitoring';
      const folder = join(mono, subdir);
      mkdirSync(mono);
      expect(runTool('git', ['init', '-q'], { cwd: mono }).status).toBe(0);
      const init = runTool(join(repo, 'node_modules', '.bin', 'infermon'), ['init', subdir, '--sources', SOURCES], { cwd: mono });
      expect(init.status, ok(init)).toBe(0);
      // What `npm ci` in the folder installs, as the first job step does.
      symlinkSync(join(repo, 'node_modules'), join(folder, 'node_modules'));
      const generate = runTool('npm', ['run', 'generate'], { cwd: folder });
      expect(generate.status, ok(generate)).toBe(0);

      // GitLab runs each job's script from the repository root, `cd` first; GitHub runs the same checks
      // in the folder it names as the working directory. Each check runs once, the GitLab way.
      const jobs = gitlabJobs(parse(readFileSync(join(folder, 'infermon.gitlab-ci.yml'), 'utf8')) as Record<string, unknown>);
      expect(jobs.length).toBeGreaterThan(0);
      for (const lines of jobs) expect(lines[0]).toBe(`cd ${subdir}`);
      const workflow = parse(readFileSync(join(mono, '.github', 'workflows', 'infermon-gitops-monitoring.yml'), 'utf8')) as GithubWorkflow;
      for (const job of Object.values(workflow.jobs)) expect(job.defaults?.run?.['working-directory']).toBe(subdir);
      const inFolder = new Set(jobs.flatMap((lines) => lines.slice(1)));
      expect([...new Set(githubChecks(workflow))].filter((command) => !inFolder.has(command))).toEqual([]);
      expect(inFolder).toContain('npx infermon generate --check');
      const gitlab = jobs.map((lines) => lines.join(' && '));
      for (const script of gitlab) {
        const r = runCheck(script, mono, join(folder, 'node_modules', '.bin'));
        expect(r.status, `${script}\n${ok(r)}`).toBe(0);
      }
    },
    TIMEOUT,
  );

  it(
    'type-checks specs against real declarations: a wrong option, field or type fails tsc',
    () => {
      const probe = join(repo, 'specs', 'type-probe.ts');
      writeFileSync(
        probe,
        [
          "import { defineStack } from 'infermon';",
          "import { vllmAlerts } from 'infermon/content';",
          "import { vllm } from 'infermon/catalog/vllm';",
          "export const stack = defineStack({ namespace: 42, workloadNamespaces: ['x'], alertmanagerUrl: 'http://a', runbookBaseUrl: 'http://r' });",
          "export const alerts = vllmAlerts({ kvCacheWarnin: 0.9 });",
          'export const port: string = vllm.spec.port.number;',
          '',
        ].join('\n'),
      );
      try {
        const tsc = inRepo('tsc', '--noEmit');
        expect(tsc.status).not.toBe(0);
        for (const line of [4, 5, 6]) expect(tsc.stdout, ok(tsc)).toContain(`specs/type-probe.ts(${line},`);
      } finally {
        rmSync(probe);
      }
    },
    TIMEOUT,
  );

  it(
    'generates the example platform byte for byte as the sources do',
    () => {
      // The build swaps modules for ones made ahead (compiled templates) and leaves parts of dependencies
      // out; the committed out/ was written from the sources.
      const example = join(repo, 'example');
      for (const dir of ['specs', 'out']) cpSync(join(PROJECT_ROOT, dir), join(example, dir), { recursive: true });
      const generate = runTool(join(repo, 'node_modules', '.bin', 'infermon'), ['generate', '--check'], { cwd: example });
      expect(generate.status, ok(generate)).toBe(0);
      expect(generate.stdout).toMatch(/is up to date/);
      rmSync(example, { recursive: true });
    },
    TIMEOUT,
  );

  it('keeps the compiled program in node_modules/.cache, and the next run takes it', () => {
    const cacheDir = join(repo, 'node_modules', '.cache', 'infermon');
    const first = inRepo('infermon', 'check');
    expect(first.status, ok(first)).toBe(0);
    const kept = readdirSync(cacheDir).filter((f) => f.startsWith('runtime.cjs-check-') && f.endsWith('.v8cache'));
    expect(kept).toHaveLength(1);
    const written = statSync(join(cacheDir, kept[0]!)).mtimeMs;
    // A run that took the cache leaves it as it is; one that had to compile would write it again.
    const second = inRepo('infermon', 'check');
    expect(second.status, ok(second)).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(statSync(join(cacheDir, kept[0]!)).mtimeMs).toBe(written);
  });

  it('changes nothing when init runs again', () => {
    const before = treeSnapshot(repo);
    const again = inRepo('infermon', 'init', '--sources', SOURCES);
    expect(again.status, ok(again)).toBe(0);
    expect(again.stdout).not.toMatch(/^(created|completed)/m);
    expect(treeSnapshot(repo)).toEqual(before);
  });
});
