import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { renderTemplate } from '../templates.ts';
import { infermonManifest } from './init/package-json.ts';
import { keptFileNotes, type KeptFileNote } from './init/kept-file-notes.ts';
import { ciPaths, scaffoldFiles } from './init/scaffold.ts';
import { parseSourceList } from './init/sources.ts';
import { writeScaffold, type WriteOutcome } from './init/write.ts';

export interface InitOptions {
  /** Comma-separated catalog source names. */
  sources: string;
}

/** A directory name as an npm package name: lower case, only the characters npm allows. */
export function packageNameFor(dir: string): string {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '')
    .replace(/-+$/, '');
  return name === '' ? 'monitoring' : name;
}

function outcomeLine(outcome: WriteOutcome): string {
  return `${outcome.status.padEnd(9)} ${outcome.path}${outcome.detail ? ` (${outcome.detail})` : ''}`;
}

function noteLines(note: KeptFileNote, sources: readonly string[]): string {
  const lines = note.lines.map((line) => `  ${line}\n`).join('');
  return `note: kept ${note.path} lacks these lines init writes for --sources ${sources.join(',')}; bring it in step by hand:\n${lines}`;
}

/**
 * `infermon init [dir]`: scaffolds a monitoring repository for the chosen sources and prints what it did.
 * Files that exist are kept as they are (package.json only gains what it lacks), so running it again
 * changes nothing; a kept file that lacks lines the chosen sources bring gets a note that lists them.
 * Returns the one-line problem when the options are wrong; nothing is written then.
 */
export function runInit(dir: string, options: InitOptions): string | undefined {
  const parsed = parseSourceList(options.sources);
  if ('error' in parsed) return parsed.error;
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const repository = gitRootOf(root);
  const subdir = repository && repository !== root ? relative(repository, root).split(sep).join('/') : undefined;
  const scaffold = { name: packageNameFor(root), sources: parsed.sources, infermon: infermonManifest(), subdir };
  const files = scaffoldFiles(scaffold);
  const outcomes = writeScaffold(root, files);
  for (const outcome of outcomes) process.stdout.write(`${outcomeLine(outcome)}\n`);
  const keptPaths = new Set(outcomes.filter((o) => o.status === 'kept').map((o) => o.path));
  const notes = keptFileNotes(root, files.filter((f) => keptPaths.has(f.path)), scaffoldFiles({ ...scaffold, sources: [] }));
  for (const note of notes) process.stdout.write(noteLines(note, parsed.sources));
  const kept = outcomes.some((o) => o.status === 'kept');
  const cd = relative(process.cwd(), root);
  process.stdout.write(renderTemplate('init/next-steps.txt.hbs', { kept, cd: cd === '' ? undefined : cd, subdir, ci: ciPaths(subdir) }));
  return undefined;
}

/** The root of the git repository `dir` is in: the nearest directory up from it that holds `.git`. */
function gitRootOf(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, '.git'))) return at;
    if (dirname(at) === at) return undefined;
  }
}
