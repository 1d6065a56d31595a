import { readFileSync, writeFileSync } from 'node:fs';
import { recoverTree, writeTree } from '../../src/emit/write.ts';
import type { Artifact } from '../../src/model/artifact.ts';

/**
 * The writer in a process of its own, stopped by a real signal just before its step number `stopAt`:
 * SIGKILL to crash it there, SIGSTOP to hold it (and its lock) there until the test sends SIGCONT.
 */
interface ChildTask {
  mode: 'write' | 'recover';
  out: string;
  artifacts?: Artifact[];
  stopAt?: number;
  signal?: 'SIGKILL' | 'SIGSTOP';
  /** Written just before stopping, so the test knows the writer is there. */
  stoppedMarker?: string;
}

const task = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ChildTask;
let step = 0;
const beforeStep = () => {
  if (step++ !== task.stopAt) return;
  if (task.stoppedMarker) writeFileSync(task.stoppedMarker, String(process.pid));
  process.kill(process.pid, task.signal ?? 'SIGKILL');
};
if (task.mode === 'write') writeTree(task.out, task.artifacts ?? [], { beforeStep });
else recoverTree(task.out, { beforeStep });
