import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) this summary reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
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

/** Total and self time per function from a CPU profile, so a benchmark can name its hot spots. */
export function summarizeProfile(file: string, root: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);

  const isProject = (id: number): boolean => {
    const url = byId.get(id)!.callFrame.url;
    return url.startsWith(`file://${root}/`) && !url.includes('/node_modules/');
  };
  // Project files run as tsx transpiles them, so their line numbers do not match the source: name the file only.
  const frameOf = (id: number): string => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url.startsWith('file://') ? relative(root, new URL(url).pathname) : url;
    return `${functionName || '(anonymous)'} ${where}${isProject(id) || !where ? '' : `:${lineNumber + 1}`}`;
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
