import { spawnSync } from 'node:child_process';

export interface ToolResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a Debian tool (promtool, amtool, kubectl) and captures its output. */
export function runTool(command: string, args: readonly string[], options: { cwd?: string; input?: string } = {}): ToolResult {
  const r = spawnSync(command, args, { cwd: options.cwd, input: options.input, encoding: 'utf8', timeout: 300_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
