#!/usr/bin/env node
// Runs the compiled CLI (`npm run build` makes it; installing the package or `npm ci` in a checkout builds it).
await import('../dist/src/cli/main.js');
