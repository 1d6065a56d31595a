import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) this summary reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }>;
  samples: number[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  /** `function file` (with `:line` outside the project), the file relative to the project root. */
  frame: string;
  /** Time with this function on the stack (recursion counted once). */
  totalMs: number;
  /** Time in this function's own code. */
  selfMs: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Named functions of the project (not node_modules, not Node internals), by total time. */
  project: HotSpot[];
  /** Every function, by self time: where the CPU actually goes. */
  self: HotSpot[];
}

/**
 * The source file and line a compiled function comes from, read from the source map beside the file
 * it runs from: the compiled package bundles its modules and dependencies into shared files.
 */
class SourceLocations {
  private readonly maps = new Map<string, SourceMap | undefined>();

  locate(url: string, line: number, column: number): { file: string; line: number } | undefined {
    if (!url.startsWith('file://')) return undefined;
    const file = fileURLToPath(url);
    if (!this.maps.has(file)) this.maps.set(file, existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))) : undefined);
    const entry = this.maps.get(file)?.findEntry(line, column);
    // Generated code outside every mapping (a bundle's banner) has no source.
    if (!entry || !('originalSource' in entry) || typeof entry.originalSource !== 'string') return undefined;
    return { file: resolve(dirname(file), entry.originalSource), line: entry.originalLine };
  }
}

/** Total and self time per function from a CPU profile, so a benchmark can name its hot spots. */
export function summarizeProfile(file: string, root: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);

  const sources = new SourceLocations();
  const located = new Map<number, { where: string; line: number; project: boolean }>();
  const locationOf = (id: number) => {
    let found = located.get(id);
    if (!found) {
      const { url, lineNumber, columnNumber } = byId.get(id)!.callFrame;
      const original = sources.locate(url, lineNumber, columnNumber);
      const path = original?.file ?? (url.startsWith('file://') ? fileURLToPath(url) : undefined);
      found = {
        where: path ? relative(root, path) : url,
        line: original?.line ?? lineNumber,
        project: path !== undefined && path.startsWith(`${root}/`) && !path.includes('/node_modules/'),
      };
      located.set(id, found);
    }
    return found;
  };
  const isProject = (id: number): boolean => locationOf(id).project;
  // Project files run as tsx transpiles them, so their line numbers do not match the source: name the file only.
  const frameOf = (id: number): string => {
    const { functionName } = byId.get(id)!.callFrame;
    const { where, line, project } = locationOf(id);
    return `${functionName || '(anonymous)'} ${where}${project || !where ? '' : `:${line + 1}`}`;
  };

  const samplesPerNode = new Map<number, number>();
  for (const id of profile.samples) samplesPerNode.set(id, (samplesPerNode.get(id) ?? 0) + 1);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const projectFrames = new Set<string>();
  for (const [id, count] of samplesPerNode) {
    const frame = frameOf(id);
    self.set(frame, (self.get(frame) ?? 0) + count);
    const onStack = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = frameOf(cur);
      if (isProject(cur) && byId.get(cur)!.callFrame.functionName) projectFrames.add(f);
      if (onStack.has(f)) continue;
      onStack.add(f);
      total.set(f, (total.get(f) ?? 0) + count);
    }
  }
  const spot = (frame: string): HotSpot => ({ frame, totalMs: (total.get(frame) ?? 0) * msPerSample, selfMs: (self.get(frame) ?? 0) * msPerSample });
  return {
    totalMs: profile.samples.length * msPerSample,
    project: [...projectFrames].map(spot).sort((a, b) => b.totalMs - a.totalMs).slice(0, top),
    self: [...self.keys()].filter((f) => !f.startsWith('(idle)')).map(spot).sort((a, b) => b.selfMs - a.selfMs).slice(0, top),
  };
}
