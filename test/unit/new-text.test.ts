import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NewText, type StagedFile } from '../../src/emit/new-text.ts';
import { artifactText, streamArtifact } from '../../src/emit/render.ts';
import { writeTree } from '../../src/emit/write.ts';
import type { Artifact } from '../../src/model/artifact.ts';

const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** A staged file in memory. */
function memoryStage(): { open: () => StagedFile; text: () => string | undefined; opened: () => number } {
  let bytes: Buffer[] | undefined;
  let opened = 0;
  return {
    open: () => {
      opened++;
      bytes = [];
      return {
        write: (b) => bytes!.push(Buffer.from(b)),
        close: () => {},
        discard: () => {
          bytes = undefined;
        },
      };
    },
    text: () => (bytes ? Buffer.concat(bytes).toString('utf8') : undefined),
    opened: () => opened,
  };
}

function run(existing: string | undefined, chunks: string[], restartAfter?: number) {
  const stage = memoryStage();
  const text = new NewText(existing === undefined ? undefined : Buffer.from(existing), stage.open);
  chunks.forEach((chunk, i) => {
    text.write(chunk);
    if (i === restartAfter) text.restart();
  });
  return { ...text.finish(), staged: stage.text(), opened: stage.opened() };
}

describe('a file’s new text, chunk by chunk', () => {
  const chunks = ['groups:\n', '  - name: a\n', '    rules: []\n'];
  const whole = chunks.join('');

  it('is the same as identical bytes, and stages nothing', () => {
    expect(run(whole, chunks)).toEqual({ hash: sha(whole), same: true, staged: undefined, opened: 0 });
  });

  it('stages the whole new text when it differs anywhere: a new file, a change in the middle, a longer or a shorter file', () => {
    for (const existing of [undefined, whole.replace('a', 'b'), whole.slice(0, 10), `${whole}more\n`, ''])
      expect(run(existing, chunks), String(existing)).toEqual({ hash: sha(whole), same: false, staged: whole, opened: 1 });
  });

  it('forgets what was written before a restart', () => {
    expect(run(whole, ['x: 1\n', ...chunks], 0)).toEqual({ hash: sha(whole), same: true, staged: undefined, opened: 1 });
    expect(run(undefined, ['x: 1\n', ...chunks], 0)).toMatchObject({ hash: sha(whole), same: false, staged: whole });
  });

  it('stages an empty file that replaces a non-empty one', () => {
    expect(run('a: 1\n', [])).toMatchObject({ same: false, staged: '' });
  });
});

describe('writing a file whose YAML the fast path cannot write', () => {
  // A line of spaces inside a multi-line string sends this document to the library, after others were streamed.
  const artifact: Artifact = {
    path: 'odd.yaml',
    format: 'yaml-documents',
    documents: [{ a: 'x'.repeat(100_000) }, { b: 'first\n  \nlast\n' }],
    header: { sources: ['specs/odd.ts'], regenerate: 'infermon generate' },
  };

  it('writes and hashes the bytes the whole text has', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'infermon-new-text-')), 'out');
    writeTree(out, [artifact]);
    expect(readFileSync(join(out, 'odd.yaml'), 'utf8')).toBe(artifactText(artifact));
    const manifest = JSON.parse(readFileSync(join(out, '.infermon-manifest.json'), 'utf8')) as { files: Record<string, string> };
    expect(manifest.files['odd.yaml']).toBe(sha(artifactText(artifact)));
    const chunks: string[] = [];
    let restarts = 0;
    streamArtifact(artifact, { write: (c) => chunks.push(c), restart: () => restarts++ });
    expect(restarts).toBe(1);
  });
});

describe('the manifest’s hashes', () => {
  const yaml = (path: string, document: Record<string, unknown>): Artifact => ({ path, format: 'yaml', document, header: { sources: ['specs/x.ts'], regenerate: 'infermon generate' } });

  it('are the hashes of the bytes written, whether a file is new, unchanged, changed part way or restarted', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'infermon-hashes-')), 'out');
    const long = 'x'.repeat(200_000);
    const first = [yaml('a.yaml', { a: 1 }), yaml('b.yaml', { long, tail: 1 }), yaml('c.yaml', { c: 'first\n  \nlast\n' })];
    const second = [yaml('a.yaml', { a: 1 }), yaml('b.yaml', { long, tail: 2 }), yaml('c.yaml', { c: 'second\n  \nlast\n' }), yaml('d/e.yaml', { e: [1, 2] })];
    for (const artifacts of [first, second]) {
      writeTree(out, artifacts);
      const manifest = JSON.parse(readFileSync(join(out, '.infermon-manifest.json'), 'utf8')) as { files: Record<string, string> };
      expect(manifest.files).toEqual(Object.fromEntries(artifacts.map((a) => [a.path, sha(readFileSync(join(out, a.path)))])));
      for (const a of artifacts) expect(readFileSync(join(out, a.path), 'utf8')).toBe(artifactText(a));
    }
  });
});
