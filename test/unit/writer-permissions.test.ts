import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { artifactText } from '../../src/emit/render.ts';
import { writeTree } from '../../src/emit/write.ts';
import { buildModel, checkModel, generateArtifacts } from '../../src/pipeline.ts';
import { CLI_ENTRY, nodeArgs } from '../support/cli.ts';
import { specFixture } from '../support/spec-fixture.ts';
import { treeState } from '../support/tree.ts';

/**
 * A write the file system refuses. Root may write anywhere, so under root the CLI runs as the unprivileged
 * user `nobody` (uid 65534, via util-linux's setpriv) against folders that user owns; a read-only folder
 * then really refuses it. The run must keep the previous tree and say so in one line.
 */

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

function openUp(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) openUp(join(dir, entry.name));
}

function handOver(dir: string): void {
  if (!isRoot) return;
  chownSync(dir, NOBODY, NOBODY);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) handOver(path);
    else chownSync(path, NOBODY, NOBODY);
  }
}

function generateUnprivileged(specs: string, cwd: string) {
  const node = [process.execPath, ...nodeArgs(CLI_ENTRY, ['generate', '--specs', specs, '--out', 'out'])];
  const [command, ...args] = isRoot ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...node] : node;
  return spawnSync(command!, args, { cwd, encoding: 'utf8' });
}

async function setUp() {
  const specs = specFixture({});
  openUp(specs);
  const { model, diagnostics } = await buildModel(specs, dirname(specs));
  if (model) checkModel(model, diagnostics);
  const artifacts = generateArtifacts(model!);
  const base = mkdtempSync(join(tmpdir(), 'infermon-perm-'));
  chmodSync(base, 0o755);
  const out = join(base, 'out');
  // Every generated file differs from the previous run's, so the write must touch every folder.
  writeTree(out, artifacts.map((a) => ({ path: a.path, format: 'text', text: `${artifactText(a)}# an earlier run\n` })));
  mkdirSync(join(out, 'notes'));
  writeFileSync(join(out, 'notes', 'README.md'), 'ours\n');
  handOver(out);
  return { specs, base, out };
}

describe('a write the file system refuses', () => {
  it('a read-only subfolder: the previous tree stays, exit 1, one line', async () => {
    const { specs, base, out } = await setUp();
    chmodSync(join(out, 'kubernetes', 'service-monitors'), 0o555);
    const before = treeState(out);
    const run = generateUnprivileged(specs, base);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^error: could not write out: permission denied \(EACCES\) at out\/kubernetes\/service-monitors\/[\w.-]+\.yaml; the previous files are unchanged\n$/);
    expect(treeState(out)).toEqual(before);
    expect(statSync(join(out, 'kubernetes', 'service-monitors')).mode & 0o777).toBe(0o555);
  });

  it('a read-only output folder: nothing is changed, exit 1, one line', async () => {
    const { specs, base, out } = await setUp();
    chmodSync(out, 0o555);
    const before = treeState(out);
    const run = generateUnprivileged(specs, base);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toBe('error: could not write out: permission denied (EACCES) at out/.infermon-lock; nothing was changed\n');
    expect(treeState(out)).toEqual(before);
  });
});
