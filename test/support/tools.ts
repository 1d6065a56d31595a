import { accessSync, constants } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { delimiter, join, resolve } from 'node:path';
import { PROJECT_ROOT } from './paths.ts';

/**
 * The one place tests find the binaries that judge the generated artifacts.
 *
 * - Pinned judges, built with `go install` by scripts/ensure-tools.sh into the tools folder (`.tools/`,
 *   or INFERMON_TOOLS_DIR): Prometheus and promtool 3, Alertmanager and amtool, Sloth, pint, and an
 *   OpenTelemetry Collector build (`otelcol`) with the components of the generated collector config.
 * - The Prometheus 2 target: Debian's `prometheus` package (2.42) on PATH.
 * - Anything else (kubectl) from PATH.
 */

export const TOOLS_DIR = resolve(process.env.INFERMON_TOOLS_DIR ?? join(PROJECT_ROOT, '.tools'));
export const TOOLS_BIN = join(TOOLS_DIR, 'bin');

export const PINNED_TOOLS = ['prometheus', 'promtool', 'alertmanager', 'amtool', 'sloth', 'pint', 'otelcol'] as const;
export type PinnedTool = (typeof PINNED_TOOLS)[number];

export type PrometheusMajor = 2 | 3;

const isPinned = (name: string): name is PinnedTool => (PINNED_TOOLS as readonly string[]).includes(name);

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first of `names` found on PATH, the tools folder left out. */
export function findOnPath(names: readonly string[]): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || resolve(dir) === TOOLS_BIN) continue;
    for (const name of names) {
      const file = join(dir, name);
      if (executable(file)) return file;
    }
  }
  return undefined;
}

/** Path of a pinned judge; fails, naming the command that builds it, when it is not there. */
export function toolPath(name: PinnedTool): string {
  const file = join(TOOLS_BIN, name);
  if (!executable(file)) throw new Error(`${name} is not in ${TOOLS_BIN}; run ./scripts/ensure-tools.sh (or make tools)`);
  return file;
}

/** Major version a Prometheus or promtool binary reports. */
export function reportedMajor(binary: string): number | undefined {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  const match = /version (\d+)\./.exec(`${r.stdout}${r.stderr}`);
  return match ? Number(match[1]) : undefined;
}

const debianCache = new Map<string, string>();

/**
 * Prometheus and promtool of one major: 3 is the pinned build, 2 is Debian's package (checked to really be
 * a 2.x, so a newer Prometheus on PATH is not mistaken for it).
 */
export function prometheusBinaries(major: PrometheusMajor): { prometheus: string; promtool: string } {
  if (major === 3) return { prometheus: toolPath('prometheus'), promtool: toolPath('promtool') };
  const pick = (name: string): string => {
    const cached = debianCache.get(name);
    if (cached) return cached;
    const file = findOnPath([name]);
    if (!file) throw new Error(`Prometheus 2 (${name}) is not on PATH; run: apt-get install -y prometheus`);
    const found = reportedMajor(file);
    if (found !== 2) throw new Error(`${file} reports Prometheus ${found ?? '?'}, the Prometheus 2 target needs 2.x (Debian's prometheus package)`);
    debianCache.set(name, file);
    return file;
  };
  return { prometheus: pick('prometheus'), promtool: pick('promtool') };
}

/** The Prometheus major the live loop runs, from `--prometheus 2|3` or INFERMON_PROMETHEUS_MAJOR; 3 unless told. */
export function requestedPrometheusMajor(argv: readonly string[] = process.argv): PrometheusMajor {
  const i = argv.findIndex((a) => a === '--prometheus' || a.startsWith('--prometheus='));
  const value = i < 0 ? process.env.INFERMON_PROMETHEUS_MAJOR : argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
  if (value === undefined || value === '') return 3;
  if (value === '2' || value === '3') return Number(value) as PrometheusMajor;
  throw new Error(`--prometheus takes 2 or 3, not ${value}`);
}

export interface ToolResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a judge and captures its output. A pinned tool's name (`promtool`, `amtool`, `sloth`, `pint`, ...)
 * runs the pinned build; a path runs that binary; any other name is looked up on PATH.
 */
export function runTool(
  command: PinnedTool | string,
  args: readonly string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): ToolResult {
  const binary = isPinned(command) ? toolPath(command) : command;
  const r = spawnSync(binary, args, {
    cwd: options.cwd,
    input: options.input,
    env: options.env ?? process.env,
    encoding: 'utf8',
    // The efficient-mode SLO unit tests take minutes of promtool time on two shared cores.
    timeout: 900_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * runTool without blocking the event loop: for a judge run while servers of this process (the live loop's
 * simulators and router) must keep answering scrapes.
 */
export function runToolAsync(
  command: PinnedTool | string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ToolResult> {
  const binary = isPinned(command) ? toolPath(command) : command;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 900_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (status) => {
      clearTimeout(timer);
      resolvePromise({ status, stdout, stderr });
    });
  });
}
