#!/usr/bin/env node
// Runs the compiled CLI: the published package ships it; in a checkout, `npm run build` makes it.
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('error: infermon is not built here (no dist/); run `npm run build` in its checkout\n');
  process.exit(1);
}
await import(main.href);
