import { describe, expect, it } from 'vitest';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { cli } from '../support/cli.ts';
import { specFixture } from '../support/spec-fixture.ts';
import { treeState } from '../support/tree.ts';

/**
 * `infermon generate` with output and spec paths that must not be written, or not like that: each is
 * refused in one line (no stack trace, exit 1) and leaves every byte where it was.
 */

const specs = specFixture({});
const cwd = dirname(specs);

const USER_FILES: Record<string, string> = {
  '.git/HEAD': 'ref: refs/heads/main\n',
  '.git/objects/ab/cdef01': 'blob\n',
  'README.md': '# platform monitoring\n',
  'unrelated.yaml': 'team: inference\n',
};

function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'infermon-repo-'));
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  return dir;
}

/** Runs the CLI and expects exactly one `error:` line and exit 1. */
function refused(args: string[], at = cwd): string {
  const run = cli(args, at);
  expect(run.status, run.stderr).toBe(1);
  expect(run.stderr.split('\n').filter(Boolean), 'one line, no stack trace').toHaveLength(1);
  return run.stderr.trimEnd();
}

const REFUSED_NOT_EMPTY = 'is not empty and has no .infermon-manifest.json, so infermon cannot tell its files from others';

describe('generate: where it will not write', () => {
  it('refuses a folder holding .git/, a README and an unrelated YAML; --adopt writes beside them, byte for byte', () => {
    const repo = folderWith(USER_FILES);
    const out = repo;
    const before = treeState(repo);
    expect(refused(['generate', '--specs', specs, '--out', out])).toBe(
      `error: ${out} ${REFUSED_NOT_EMPTY} (.git/HEAD, .git/objects/ab/cdef01, README.md, …); write to an empty or new directory, or pass --adopt to let infermon write its files there and leave the others alone`,
    );
    expect(treeState(repo)).toEqual(before);

    const adopted = cli(['generate', '--specs', specs, '--out', out, '--adopt'], cwd);
    expect(adopted.status, adopted.stderr).toBe(0);
    for (const [path, body] of Object.entries(USER_FILES)) expect(readFileSync(join(repo, path), 'utf8')).toBe(body);

    mkdirSync(join(repo, 'kubernetes'), { recursive: true });
    writeFileSync(join(repo, 'kubernetes', 'hand-written.yaml'), 'kind: ConfigMap\n');
    const again = cli(['generate', '--specs', specs, '--out', out], cwd);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^wrote \d+ files to .+\/ \(0 changed, 0 removed\)\n$/);
    expect(readFileSync(join(repo, 'kubernetes', 'hand-written.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
    for (const [path, body] of Object.entries(USER_FILES)) expect(readFileSync(join(repo, path), 'utf8')).toBe(body);
    expect(cli(['generate', '--specs', specs, '--out', out, '--check'], cwd).status).toBe(0);
  });

  it('refuses `--out .` in a repository', () => {
    const repo = folderWith(USER_FILES);
    const before = treeState(repo);
    expect(refused(['generate', '--specs', specs, '--out', '.'], repo)).toMatch(new RegExp(`^error: \\. ${REFUSED_NOT_EMPTY} \\(`));
    expect(treeState(repo)).toEqual(before);
  });

  it("refuses `--out ''` before loading anything", () => {
    expect(refused(['generate', '--specs', specs, '--out', ''])).toBe('error: --out is empty; name a directory (e.g. --out out)');
  });

  it('refuses the spec directory, or a folder inside it', () => {
    const before = treeState(specs);
    const name = basename(specs);
    expect(refused(['generate', '--specs', specs, '--out', name])).toBe(`error: the output directory ${name} is the spec directory; write the output elsewhere`);
    expect(refused(['generate', '--specs', name, '--out', `${name}/out`])).toBe(
      `error: the output directory ${name}/out is inside the spec directory ${name}; write the output elsewhere`,
    );
    expect(treeState(specs)).toEqual(before);
  });

  it('refuses a file, and a symlink to nothing; writes through a symlink to a folder and keeps the link', () => {
    const base = folderWith({ 'notes.yml': 'mine: true\n' });
    symlinkSync(join(base, 'missing'), join(base, 'dangling'));
    mkdirSync(join(base, 'real'));
    symlinkSync(join(base, 'real'), join(base, 'linked'));
    const before = treeState(base);
    expect(refused(['generate', '--specs', specs, '--out', 'notes.yml'], base)).toBe('error: notes.yml is a file, not a directory; point --out at a directory');
    expect(refused(['generate', '--specs', specs, '--out', 'dangling'], base)).toBe(
      `error: dangling is a symlink to ${join(base, 'missing')}, which does not exist; create that directory or point --out elsewhere`,
    );
    expect(treeState(base)).toEqual(before);

    const run = cli(['generate', '--specs', specs, '--out', 'linked'], base);
    expect(run.status, run.stderr).toBe(0);
    expect(lstatSync(join(base, 'linked')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(base, 'real', '.infermon-manifest.json'), 'utf8')).toContain('"files"');
  });

  it('refuses a missing or wrong --specs in one line, for every command that reads specs', () => {
    const base = folderWith({ 'specs.ts': 'export {};\n' });
    expect(refused(['generate', '--specs', 'no-such-specs'], base)).toBe('error: --specs no-such-specs: no such directory');
    expect(refused(['check', '--specs', 'specs.ts'], base)).toBe('error: --specs specs.ts: not a directory');
    expect(refused(['catalog', '--specs', ''], base)).toBe('error: --specs is empty; name a directory (e.g. --specs specs)');
  });
});
