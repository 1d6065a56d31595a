import { readFileSync } from 'node:fs';
import { loadProgram } from './load-program.ts';

/** The `infermon` executable: run the command, map the outcome to the exit code. */
const packageJson = new URL(import.meta.url.endsWith('.ts') ? '../../package.json' : '../../../package.json', import.meta.url);
const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };

// A reader that stops early (`infermon catalog | head`) closes stdout: the rest is unwanted, so stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit();
});

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Answered before the program loads: scripts ask for it to pick a syntax, and expect it at once.
  process.stdout.write(`${version}\n`);
} else {
  const program = await loadProgram(args[0] ?? '');
  process.exitCode = await program.main(process.argv, version);
  program.saveCompiledCode();
}
