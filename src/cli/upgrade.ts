import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../plan/index.ts';
import { lineOfPath, pathParts } from '../model/spec-lines.ts';
import { parseUpgradeTarget, upgradeBreaks, upgradeJson, upgradeReport, upgradeText, type UpgradeReport, type UpgradeTarget } from '../verify/upgrade.ts';

export interface UpgradeOptions {
  upgrade: string[];
  format: 'text' | 'json';
}

/** `SOURCE=VERSION` flags as targets; throws naming the first malformed one. */
export function upgradeTargets(flags: readonly string[]): UpgradeTarget[] {
  return flags.map((flag) => {
    const target = parseUpgradeTarget(flag);
    if (!target) throw new Error(`--upgrade ${flag}: write SOURCE=VERSION, e.g. --upgrade vllm=0.15`);
    return target;
  });
}

/** The line each impact's spec path is written on, where the file can be followed there. */
function addLines(report: UpgradeReport, projectRoot: string): void {
  const texts = new Map<string, string>();
  for (const impact of report.impacts) {
    if (!texts.has(impact.at.file)) {
      let text = '';
      try {
        text = readFileSync(join(projectRoot, impact.at.file), 'utf8');
      } catch {
        // A spec built in code elsewhere keeps its path without a line.
      }
      texts.set(impact.at.file, text);
    }
    const line = lineOfPath(texts.get(impact.at.file)!, pathParts(impact.at.path));
    if (line !== undefined) impact.at = { ...impact.at, line };
  }
}

/** `infermon check --upgrade SOURCE=VERSION ...`: prints what the upgrade breaks or changes; false when something breaks. */
export function runUpgradeCheck(model: Plan, options: UpgradeOptions, projectRoot: string): boolean {
  const report = upgradeReport(model, upgradeTargets(options.upgrade));
  addLines(report, projectRoot);
  process.stdout.write(options.format === 'json' ? upgradeJson(report) : upgradeText(report));
  return !upgradeBreaks(report);
}
