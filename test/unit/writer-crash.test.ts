import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { WriteError, recoverTree, writeTree } from '../../src/emit/write.ts';
import type { Artifact, TextArtifact } from '../../src/model/artifact.ts';
import { nodeArgs } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { copyOf, treeState, whichState } from '../support/tree.ts';

/**
 * Every step of a write interrupted in turn: by an error (the writer undoes its work before returning), and
 * by a real SIGKILL of a writer process (the next run undoes or completes it from the journal). After
 * each, the directory holds the whole old tree or the whole new one, the user's files untouched, and the
 * next write leaves nothing of infermon's bookkeeping behind.
 */

const OLD: TextArtifact[] = [
  { path: 'a.yml', format: 'text', text: 'a: 1\n' },
  { path: 'dir1/b.yml', format: 'text', text: 'b: 1\n' },
  { path: 'dir1/sub/c.yml', format: 'text', text: 'c: 1\n' },
  { path: 'gone/d.yml', format: 'text', text: 'd: 1\n' },
];
const NEW: TextArtifact[] = [
  { path: 'a.yml', format: 'text', text: 'a: 2\n' },
  { path: 'dir1/b.yml', format: 'text', text: 'b: 1\n' },
  { path: 'dir1/f.yml', format: 'text', text: 'f: 1\n' },
  { path: 'dir1/fresh/g.yml', format: 'text', text: 'g: 1\n' },
  { path: 'dir1/sub/c.yml', format: 'text', text: 'c: 2\n' },
  { path: 'new/deep/e.yml', format: 'text', text: 'e: 1\n' },
];
const USER_FILES: Record<string, string> = {
  '.git/HEAD': 'ref: refs/heads/main\n',
  'README.md': '# our monitoring\n',
  'notes.yaml': 'owner: platform-team\n',
  'dir1/hand-written.yaml': 'kind: ConfigMap\n',
};

const CHILD = join(PROJECT_ROOT, 'test', 'support', 'writer-child.ts');

function oldTree(): string {
  const out = join(mkdtempSync(join(tmpdir(), 'infermon-crash-')), 'out');
  writeTree(out, OLD);
  for (const [path, body] of Object.entries(USER_FILES)) {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), body);
  }
  return out;
}

const template = oldTree();
const states = {
  old: treeState(template),
  new: (() => {
    const out = copyOf(template);
    writeTree(out, NEW);
    return treeState(out);
  })(),
};

function stepsOf(run: (beforeStep: (step: string) => void) => void): string[] {
  const steps: string[] = [];
  run((step) => steps.push(step));
  return steps;
}

const writeSteps = stepsOf((beforeStep) => writeTree(copyOf(template), NEW, { beforeStep }));
const committedAfter = writeSteps.indexOf('commit');

interface ChildTask {
  mode: 'write' | 'recover';
  out: string;
  artifacts?: Artifact[];
  stopAt: number;
  signal: 'SIGKILL' | 'SIGSTOP';
  stoppedMarker?: string;
}

function taskFile(task: ChildTask): string {
  const file = join(mkdtempSync(join(tmpdir(), 'infermon-task-')), 'task.json');
  writeFileSync(file, JSON.stringify(task));
  return file;
}

function killedAt(task: Omit<ChildTask, 'signal'>): void {
  const run = spawnSync(process.execPath, nodeArgs(CHILD, [taskFile({ ...task, signal: 'SIGKILL' })]), { encoding: 'utf8' });
  expect(run.signal, run.stderr).toBe('SIGKILL');
}

describe('a write interrupted at any step', () => {
  it('has the steps of a journalled swap', () => {
    expect(writeSteps.slice(0, 2)).toEqual(['stage', 'stage a.yml']);
    expect(writeSteps).toContain('journal');
    expect(writeSteps).toContain('backup gone/d.yml');
    // A new directory moves in whole from the work folder, its files and subdirectories with it.
    expect(writeSteps).toContain('install new/');
    expect(writeSteps).toContain('install dir1/fresh/');
    expect(writeSteps).toContain('install dir1/f.yml');
    expect(writeSteps.filter((step) => step.startsWith('install new/') || step.startsWith('install dir1/fresh/'))).toEqual(['install dir1/fresh/', 'install new/']);
    expect(writeSteps.slice(committedAfter)).toEqual(['commit', 'prune', 'clear journal', 'clear work']);
  });

  it.each(writeSteps.map((step, index) => ({ step, index })))('failing before "$step" leaves a whole tree', ({ step, index }) => {
    const out = copyOf(template);
    let n = 0;
    const fail = () => {
      if (n++ === index) throw new Error(`injected failure before ${step}`);
    };
    if (index <= committedAfter) {
      expect(() => writeTree(out, NEW, { beforeStep: fail })).toThrow(
        new WriteError(`could not write ${out}: injected failure before ${step}; the previous files are unchanged`),
      );
      expect(treeState(out)).toEqual(states.old);
    } else {
      expect(writeTree(out, NEW, { beforeStep: fail }).cleanupProblem).toBe(
        `the new files are in place, but tidying up failed (injected failure before ${step}); the next infermon run finishes it`,
      );
    }
    // Failing before the work folder goes leaves only that folder: the journal is already gone.
    expect(writeTree(out, NEW).recovered).toBe(index <= committedAfter ? 'none' : step === 'clear work' ? 'cleared' : 'completed');
    expect(treeState(out)).toEqual(states.new);
  });

  it('killed (SIGKILL) before each step, is undone or completed by the next run, which leaves no leftovers', () => {
    const outcomes: string[] = [];
    writeSteps.forEach((step, index) => {
      const out = copyOf(template);
      killedAt({ mode: 'write', out, artifacts: NEW, stopAt: index });
      const recovered = recoverTree(out);
      const state = whichState(treeState(out), states);
      expect(state, `killed before ${step}`).toBe(index <= committedAfter ? 'old' : 'new');
      outcomes.push(`${step}: ${recovered} → ${state}`);
      writeTree(out, NEW);
      expect(treeState(out), `next run after a kill before ${step}`).toEqual(states.new);
    });
    expect(outcomes).toHaveLength(writeSteps.length);
  });

  it('killed again while undoing the first crash, still ends whole', () => {
    const crashed = copyOf(template);
    killedAt({ mode: 'write', out: crashed, artifacts: NEW, stopAt: writeSteps.indexOf('commit') });
    const recoverySteps = stepsOf((beforeStep) => recoverTree(copyOf(crashed), { beforeStep }));
    expect(recoverySteps).toContain('restore a.yml');
    expect(recoverySteps).toContain('undo new/deep/e.yml');
    recoverySteps.forEach((step, index) => {
      const out = copyOf(crashed);
      killedAt({ mode: 'recover', out, stopAt: index });
      expect(recoverTree(out), `recovery killed before ${step}`).not.toBe('none');
      expect(treeState(out), `recovery killed before ${step}`).toEqual(states.old);
    });
  });

  it('holds its lock while paused mid-swap: an overlapping write is refused and changes nothing; the first then completes', async () => {
    const out = copyOf(template);
    const marker = join(dirname(out), 'stopped');
    const child = spawn(process.execPath, nodeArgs(CHILD, [taskFile({ mode: 'write', out, artifacts: NEW, stopAt: writeSteps.indexOf('install a.yml'), signal: 'SIGSTOP', stoppedMarker: marker })]));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      while (!existsSync(marker)) await new Promise((r) => setTimeout(r, 20));
      const during = treeState(out);
      expect(() => writeTree(out, OLD)).toThrow(
        new WriteError(`another infermon run (pid ${child.pid}) is writing to ${out}; try again when it has finished, or delete ${out}/.infermon-lock if no infermon is running`),
      );
      expect(() => recoverTree(out)).toThrow(WriteError);
      expect(treeState(out)).toEqual(during);
    } finally {
      child.kill('SIGCONT');
    }
    expect(await exited).toBe(0);
    expect(treeState(out)).toEqual(states.new);
  });
});
