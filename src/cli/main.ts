import { readFileSync } from 'node:fs';
import { main } from './program.ts';

/** The `infermon` executable: run the command, map the outcome to the exit code. */
const packageJson = new URL(import.meta.url.endsWith('.ts') ? '../../package.json' : '../../../package.json', import.meta.url);
const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };

process.exitCode = await main(process.argv, version);
