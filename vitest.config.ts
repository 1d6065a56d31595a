import { defineConfig } from 'vitest/config';

/** Specs and tests import `'infermon'` from the sources, as `tsx --conditions=infermon-source` does. */
const conditions = ['infermon-source', 'import', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['infermon-source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/temp-dirs.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
