import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseOptions, type IViolation } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/paths.ts';

/** The data flow runs one way and nothing imports in a circle (rules in .dependency-cruiser.cjs). */
const config = createRequire(import.meta.url)(join(PROJECT_ROOT, '.dependency-cruiser.cjs')) as {
  forbidden: NonNullable<ICruiseOptions['ruleSet']>['forbidden'];
  options: ICruiseOptions;
};

async function violations(baseDir: string, roots: string[]): Promise<{ modules: number; found: IViolation[] }> {
  const { options } = config;
  const result = await cruise(roots, {
    ...options,
    baseDir,
    tsConfig: undefined,
    tsPreCompilationDeps: true,
    ruleSet: { forbidden: config.forbidden },
    validate: true,
  });
  if (typeof result.output === 'string') throw new Error(result.output);
  return { modules: result.output.summary.totalCruised, found: result.output.summary.violations };
}

const planted: string[] = [];
afterAll(() => {
  for (const dir of planted) rmSync(dir, { recursive: true, force: true });
});

/** A throw-away tree laid out like the package, holding only the given files. */
function plant(files: Record<string, string>): string {
  mkdirSync(join(PROJECT_ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(PROJECT_ROOT, '.tmp', 'arch-'));
  planted.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('architecture', () => {
  it('the package has no import against the flow and no cycle', async () => {
    const { modules, found } = await violations(PROJECT_ROOT, ['src', 'generators']);
    expect(modules).toBeGreaterThan(150);
    expect(found.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  });

  it('fails on a planted backward import (a check reading a generator)', async () => {
    const dir = plant({
      'generators/kubernetes/monitors.ts': 'export const monitors = 1;\n',
      'src/check/wiring.ts': "import { monitors } from '../../generators/kubernetes/monitors.ts';\nexport const n = monitors;\n",
    });
    const { found } = await violations(dir, ['src', 'generators']);
    expect(found.map((v) => v.rule.name)).toEqual(['checks-read-generators']);
  });

  it('fails on a planted generator that serialises its own output, and on a check that reaches into the writer', async () => {
    const dir = plant({
      'src/emit/serialize.ts': 'export const toYaml = (v: unknown) => String(v);\n',
      'src/emit/write.ts': 'export const writeTree = () => 0;\n',
      'generators/blackbox/config.ts': "import { toYaml } from '../../src/emit/serialize.ts';\nexport const body = toYaml({});\n",
      'src/check/wiring.ts': "import { writeTree } from '../emit/write.ts';\nexport const w = writeTree();\n",
    });
    const { found } = await violations(dir, ['src', 'generators']);
    expect(found.map((v) => `${v.rule.name}: ${v.from}`).sort()).toEqual(['checks-read-generators: src/check/wiring.ts', 'generators-serialise: generators/blackbox/config.ts']);
  });

  it('fails on a planted cycle', async () => {
    const dir = plant({
      'src/model/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'src/model/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
    });
    const { found } = await violations(dir, ['src']);
    expect(new Set(found.map((v) => v.rule.name))).toEqual(new Set(['no-circular']));
  });
});
