import { join, resolve } from 'node:path';
import { ROUTE_TESTS } from '../../generators/alertmanager/config.ts';
import { runRouteTests } from '../verify/route-tests.ts';

export interface RouteTestsCommandOptions {
  out: string;
  amtool: string;
}

/** `infermon test-routes`: one line per failing case and a summary; false when a case fails. */
export async function runRouteTestsCommand(options: RouteTestsCommandOptions): Promise<boolean> {
  const shown = join(options.out, ROUTE_TESTS);
  const report = await runRouteTests(resolve(shown), options.amtool);
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
