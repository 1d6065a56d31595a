import { join, resolve } from 'node:path';
import { ROUTE_TESTS } from '../../generators/alertmanager/config.ts';
import { runRouteTests } from '../verify/route-tests.ts';

export interface RouteTestsCommandOptions {
  out: string;
  amtool: string;
  format: 'text' | 'json';
}

/**
 * `infermon test-routes`: one line per failing case and a summary, or the report as JSON (the file, the
 * counts and every failing case) for CI annotations; false when a case fails.
 */
export async function runRouteTestsCommand(options: RouteTestsCommandOptions): Promise<boolean> {
  const shown = join(options.out, ROUTE_TESTS);
  const report = await runRouteTests(resolve(shown), options.amtool);
  if (options.format === 'json') {
    const { passed, failures } = report;
    process.stdout.write(`${JSON.stringify({ file: shown, passed, failed: failures.length, failures }, null, 2)}\n`);
    return failures.length === 0;
  }
  for (const f of report.failures)
    process.stdout.write(`FAIL ${f.alert} (${f.origin}): expected ${f.expected.join(',') || 'no receiver'}; amtool: ${f.got || 'nothing'}\n`);
  const total = report.passed + report.failures.length;
  process.stdout.write(
    report.failures.length === 0
      ? `ok: ${total} routing cases in ${shown} reach their receivers\n`
      : `${report.failures.length} of ${total} routing cases in ${shown} reach other receivers\n`,
  );
  return report.failures.length === 0;
}
