import { acquireLock } from '../../src/emit/lock.ts';

/**
 * Takes and releases the lock of one directory as fast as it can, `rounds` times, beside other
 * contenders; prints every refusal so the test can read what a run that loses the race is told.
 */
const [outDir, rounds] = [process.argv[2]!, Number(process.argv[3])];
const refusals: string[] = [];
for (let i = 0; i < rounds; i++) {
  try {
    acquireLock(outDir)();
  } catch (err) {
    refusals.push((err as Error).message);
  }
}
process.stdout.write(JSON.stringify(refusals));
