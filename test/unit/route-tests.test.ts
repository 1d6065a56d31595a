import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ROUTE_TESTS, alertmanagerGenerator } from '../../generators/alertmanager/config.ts';
import { OUT } from '../../src/conventions.ts';
import { artifactText } from '../../src/emit/render.ts';
import { RouteTestError, runRouteTests } from '../../src/verify/route-tests.ts';
import { cli } from '../support/cli.ts';
import { toolPath } from '../support/tools.ts';
import { projectModel } from './wiring-fixture.ts';

/** The example platform's Alertmanager output, as `infermon generate` writes it under out/. */
let out: string;
let routes: string;
let cases: Array<{ alert: string; origin: string; receivers: string[] }>;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'infermon-route-tests-'));
  for (const artifact of alertmanagerGenerator(await projectModel()).filter((a) => a.path.startsWith(`${OUT.alertmanager}/`))) {
    mkdirSync(dirname(join(out, artifact.path)), { recursive: true });
    writeFileSync(join(out, artifact.path), artifactText(artifact));
  }
  routes = join(out, ROUTE_TESTS);
  cases = (parse(readFileSync(routes, 'utf8')) as { cases: typeof cases }).cases;
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('infermon test-routes', () => {
  it('passes every generated case through amtool', async () => {
    expect(cases.length).toBeGreaterThan(10);
    expect(await runRouteTests(routes, toolPath('amtool'))).toEqual({ passed: cases.length, failures: [] });
  });

  it('names the alert, its spec and what amtool resolved for a case that reaches other receivers', async () => {
    const edited = join(out, OUT.alertmanager, 'tests', 'edited.yml');
    const document = parse(readFileSync(routes, 'utf8')) as { cases: typeof cases };
    const [first] = document.cases;
    writeFileSync(edited, stringify({ ...document, cases: [{ ...first, receivers: ['nobody'] }, ...document.cases.slice(1)] }));
    const report = await runRouteTests(edited, toolPath('amtool'));
    expect(report.passed).toBe(cases.length - 1);
    expect(report.failures).toEqual([{ alert: first!.alert, origin: first!.origin, expected: ['nobody'], got: first!.receivers.join(',') }]);
  });

  it('says how to get amtool when it is missing, and how to get the tests when they are', async () => {
    await expect(runRouteTests(routes, join(out, 'no-amtool'))).rejects.toThrow(RouteTestError);
    await expect(runRouteTests(routes, join(out, 'no-amtool'))).rejects.toThrow(/install amtool .* or pass --amtool/);
    await expect(runRouteTests(join(out, 'missing.yml'), toolPath('amtool'))).rejects.toThrow(/run `infermon generate` first/);
  });

  it('refuses a file that is not a routing test file, YAML or not', async () => {
    const other = join(out, 'other.yml');
    writeFileSync(other, stringify({ rule_files: ['x.yml'], tests: [] }));
    await expect(runRouteTests(other, toolPath('amtool'))).rejects.toThrow(/not a routing test file/);
    writeFileSync(other, 'cases: [\n');
    await expect(runRouteTests(other, toolPath('amtool'))).rejects.toThrow(/not a routing test file/);
  });

  it('reports as JSON with --format json: the file, the counts and each failing case, exit 1 on a failure', () => {
    const edited = join(out, 'edited-out');
    cpSync(join(out, OUT.alertmanager), join(edited, OUT.alertmanager), { recursive: true });
    const document = parse(readFileSync(routes, 'utf8')) as { cases: typeof cases };
    const last = document.cases.at(-1)!;
    writeFileSync(join(edited, ROUTE_TESTS), stringify({ ...document, cases: [...document.cases.slice(0, -1), { ...last, receivers: ['nobody', 'else'] }] }));
    const r = cli(['test-routes', '--out', edited, '--amtool', toolPath('amtool'), '--format', 'json'], out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      file: join(edited, ROUTE_TESTS),
      passed: cases.length - 1,
      failed: 1,
      failures: [{ alert: last.alert, origin: last.origin, expected: ['nobody', 'else'], got: last.receivers.join(',') }],
    });
  });
});
