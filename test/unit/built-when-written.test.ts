import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OUT } from '../../src/conventions.ts';
import { writeTree } from '../../src/emit/write.ts';
import { textBuiltWhenWritten, yamlBuiltWhenWritten, type Artifact } from '../../src/model/artifact.ts';
import type { Plan } from '../../src/plan/index.ts';
import { buildModel, checkArtifacts, generateArtifacts } from '../../src/pipeline.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

/**
 * Unit-test files and runbook pages are built as they are written, so a large platform never holds all of
 * them at once: nothing before the write may read them, and the write reads each once.
 */

const builtWhenWritten = (a: Artifact): boolean => Object.getOwnPropertyDescriptor(a, a.format === 'text' ? 'text' : 'document')?.get !== undefined;

let model: Plan;

beforeAll(async () => {
  model = (await buildModel(join(PROJECT_ROOT, 'specs'), PROJECT_ROOT)).model!;
});

describe('files built when written', () => {
  it('are built by the write alone, once each, and not by the checks over generated files', () => {
    const built: string[] = [];
    const tests = yamlBuiltWhenWritten(`${OUT.prometheusTests}/a.test.yml`, undefined, () => {
      built.push('tests');
      return { tests: [{ name: 'fires' }] };
    });
    const page = textBuiltWhenWritten(`${OUT.docs}/runbooks/A.md`, () => {
      built.push('page');
      return '# A\n';
    });
    checkArtifacts([tests, page]);
    expect(built).toEqual([]);
    const out = join(mkdtempSync(join(tmpdir(), 'infermon-built-when-written-')), 'out');
    writeTree(out, [tests, page]);
    expect(built.sort()).toEqual(['page', 'tests']);
    expect(readFileSync(join(out, OUT.docs, 'runbooks', 'A.md'), 'utf8')).toBe('# A\n');
    expect(readFileSync(join(out, OUT.prometheusTests, 'a.test.yml'), 'utf8')).toBe('tests:\n  - name: fires\n');
  });

  it('are every unit-test file and runbook page of the example platform, and nothing else', () => {
    const artifacts = generateArtifacts(model);
    const expected = artifacts.filter((a) => a.path.startsWith(`${OUT.prometheusTests}/`) || a.path.startsWith(`${OUT.docs}/runbooks/`)).map((a) => a.path);
    expect(expected.length).toBeGreaterThan(10);
    expect(artifacts.filter(builtWhenWritten).map((a) => a.path)).toEqual(expected);
  });
});
