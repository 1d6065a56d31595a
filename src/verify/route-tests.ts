import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * The generated Alertmanager routing tests (`out/alertmanager/tests/routes.yml`) run through amtool, as a
 * repository's CI runs them: each case's labels must reach exactly its receivers, in notification order.
 */

const RouteTestFile = z.object({
  /** The Alertmanager configuration, relative to the test file. */
  config: z.string(),
  cases: z.array(
    z.object({
      alert: z.string(),
      origin: z.string(),
      labels: z.record(z.string(), z.string()),
      receivers: z.array(z.string()),
    }),
  ),
});

type RouteTestCase = z.infer<typeof RouteTestFile>['cases'][number];

export interface RouteTestFailure {
  alert: string;
  /** The spec file and path the alert is declared at. */
  origin: string;
  expected: string[];
  /** What amtool printed: the receivers it resolved, or why it could not. */
  got: string;
}

export interface RouteTestReport {
  passed: number;
  failures: RouteTestFailure[];
}

/** A problem with the test file or with amtool itself, not with a route. */
export class RouteTestError extends Error {}

function readTests(file: string): z.infer<typeof RouteTestFile> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new RouteTestError(`no routing tests at ${file}: run \`infermon generate\` first (a platform without a routing spec has none)`);
  }
  const notOurs = (why: string) => new RouteTestError(`${file} is not a routing test file infermon wrote: ${why}`);
  let document: unknown;
  try {
    document = parse(text);
  } catch (err) {
    throw notOurs((err as Error).message.split('\n')[0]!);
  }
  const parsed = RouteTestFile.safeParse(document);
  if (!parsed.success) throw notOurs(`${parsed.error.issues[0]!.message} at ${parsed.error.issues[0]!.path.join('.')}`);
  return parsed.data;
}

function routeOf(amtool: string, config: string, c: RouteTestCase): Promise<{ ok: boolean; output: string }> {
  const labels = Object.entries(c.labels).map(([name, value]) => `${name}=${value}`);
  return new Promise((done, fail) => {
    execFile(amtool, ['config', 'routes', 'test', `--config.file=${config}`, ...labels], (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT')
        return fail(new RouteTestError(`${amtool} was not found: install amtool (it ships with Alertmanager) or pass --amtool <path>`));
      if (err) return done({ ok: false, output: `${stderr}${stdout}`.trim() });
      done({ ok: true, output: stdout.trim() });
    });
  });
}

/** Runs every case of `file` through `amtool config routes test`, several at a time. */
export async function runRouteTests(file: string, amtool = 'amtool'): Promise<RouteTestReport> {
  const tests = readTests(file);
  const config = resolve(dirname(file), tests.config);
  const results: Array<RouteTestFailure | undefined> = [];
  let next = 0;
  const worker = async () => {
    while (next < tests.cases.length) {
      const at = next++;
      const c = tests.cases[at]!;
      const { ok, output } = await routeOf(amtool, config, c);
      results[at] = ok && output === c.receivers.join(',') ? undefined : { alert: c.alert, origin: c.origin, expected: c.receivers, got: output };
    }
  };
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), tests.cases.length) }, worker));
  const failures = results.filter((result) => result !== undefined);
  return { passed: tests.cases.length - failures.length, failures };
}
