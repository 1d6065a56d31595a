import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './paths.ts';

/**
 * Global setup of the test run: the temporary folders tests and the programs they start make go under one
 * folder per run (through TMPDIR, which child processes inherit), and spec fixtures, which sit inside the
 * package so that they import `'infermon'`, under one folder of `.tmp/`; both go when the run ends, so runs
 * leave nothing behind however their tests end.
 */
export default function setup(): () => void {
  const temp = mkdtempSync(join(tmpdir(), 'infermon-test-run-'));
  // Open to every user, as /tmp is: tests run the CLI as an unprivileged user, whose tools keep caches there.
  chmodSync(temp, 0o1777);
  mkdirSync(join(PROJECT_ROOT, '.tmp'), { recursive: true });
  const fixtures = mkdtempSync(join(PROJECT_ROOT, '.tmp', 'test-run-'));
  chmodSync(fixtures, 0o755);
  process.env.TMPDIR = temp;
  process.env.INFERMON_TEST_FIXTURES = fixtures;
  return () => {
    rmSync(temp, { recursive: true, force: true });
    rmSync(fixtures, { recursive: true, force: true });
  };
}
