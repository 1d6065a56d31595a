import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ScaffoldFile } from './write.ts';

/** A file init kept, with the lines init would write into it now that it lacks. */
export interface KeptFileNote {
  path: string;
  lines: string[];
}

/** Prose the team owns: an out-of-date list of sources there breaks nothing, so it gets no note. */
const NOT_NOTED = new Set(['README.md']);

const significantLines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

/**
 * For each kept file, the lines of its scaffold for the chosen sources that it lacks, leaving out lines
 * that a scaffold for no sources has as well: a file scaffolded before a source was added misses the
 * lines that source brings, while lines a team is meant to edit (URLs, names) are not the sources' and
 * are never noted. Lines compare without their indentation.
 */
export function keptFileNotes(root: string, kept: readonly ScaffoldFile[], unsourced: readonly ScaffoldFile[]): KeptFileNote[] {
  const unsourcedLines = new Map(unsourced.map((file) => [file.path, new Set(significantLines(file.text).map((line) => line.trim()))]));
  return kept
    .filter((file) => !file.completesPackageJson && !NOT_NOTED.has(file.path) && statSync(join(root, file.path)).isFile())
    .map((file) => {
      const present = new Set(significantLines(readFileSync(join(root, file.path), 'utf8')).map((line) => line.trim()));
      const common = unsourcedLines.get(file.path) ?? new Set<string>();
      const lines = significantLines(file.text).filter((line) => !present.has(line.trim()) && !common.has(line.trim()));
      return { path: file.path, lines };
    })
    .filter((note) => note.lines.length > 0);
}
