import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { slothCliHeader, slothCliPrometheusRule, slothCliRules } from '../../src/emit/sloth-cli.ts';
import { slothRuleGroups } from '../../generators/slo/sloth-rules.ts';
import type { OutputRuleGroup } from '../../generators/prometheus-rules/envelopes.ts';
import { fileStem } from '../../src/conventions.ts';
import { parseDuration } from '../../src/model/duration.ts';
import { planOf } from '../../src/plan/index.ts';
import { buildModel, generateArtifacts } from '../../src/pipeline.ts';
import { SLO_GROUPS, SLO_LABELS, SLOTH_CLI_K8S, SLOTH_CLI_PROM, SLOTH_VERSION } from '../../src/slo/names.ts';
import { slothSlos, tieredAlerts, type SlothSlo } from '../../src/slo/sloth-slo.ts';
import { OUT_DIR, PROJECT_ROOT } from '../support/paths.ts';
import { runTool } from '../support/tools.ts';
import { artifactText } from '../../src/emit/render.ts';

/**
 * Real Sloth (the pinned v0.16.0 build) over every Sloth spec infermon writes to out/sloth, run as the
 * spec's own header says. Two claims, both byte for byte:
 *
 * 1. What Sloth prints is exactly what infermon's Sloth mode writes for the same SLOs (the whole output,
 *    header included), for every SLO, including those whose native rules use the efficient mode. The
 *    PrometheusServiceLevel CR of each spec (generated for a Sloth-operator target) goes through Sloth too: the rules of the
 *    PrometheusRule it prints are byte for byte infermon's (its metadata carries the CR's labels as well).
 * 2. The native rules committed in out/prometheus/rules hold Sloth's groups, in Sloth's order, for every
 *    SLO in Sloth mode: each group, printed in Sloth's layout, equals Sloth's text of that group once
 *    infermon's documented options are taken back out (the zero-traffic guard `((total) > 0)` on SLI
 *    recordings, the traffic floor around the page alert). Taking them out only succeeds on exactly
 *    that form, so a guard that changes shape fails too. Efficient-mode SLOs, and Sloth-mode SLOs that
 *    alert per tier, are checked against the raw series by their own promtool tests.
 *
 * A grouped SLO (`groupBy`) is in both claims: its Sloth spec's queries `sum by` the group labels, and
 * Sloth's rules keep them through every window, so Sloth's output is the grouped rule set itself.
 */

const SLOTH_DIR = join(OUT_DIR, 'sloth');
const RULES_DIR = join(OUT_DIR, 'prometheus', 'rules');
/** The PrometheusServiceLevel CRs, generated for a stack whose SLOs the Sloth operator turns into rules. */
let CR_DIR = '';
const specFiles = existsSync(SLOTH_DIR) ? readdirSync(SLOTH_DIR).filter((f) => f.endsWith('.yml')).sort() : [];

interface SlothRun {
  args: string[];
  stdout: string;
  service: string;
  period: number;
}

/** The `sloth generate ...` command written in a spec's header, run from out/ as written. */
function runSloth(file: string): SlothRun {
  const text = readFileSync(join(SLOTH_DIR, file), 'utf8');
  const command = /^# Sloth: sloth (generate .+)$/m.exec(text)?.[1];
  if (!command) throw new Error(`${file} names no sloth command in its header`);
  const args = command.split(/\s+/);
  const r = runTool('sloth', args, { cwd: OUT_DIR });
  if (r.status !== 0) throw new Error(`sloth ${command} exited ${r.status}:\n${r.stderr}`);
  const period = parseDuration(args[args.indexOf('--default-slo-period') + 1] ?? '');
  if (period === undefined) throw new Error(`${file}: no --default-slo-period in \`${command}\``);
  return { args, stdout: r.stdout, service: String((parse(text) as { service: string }).service), period };
}

/** Sloth's own output split into its groups' text, by name, in order. */
function groupTexts(cliOutput: string): Array<[string, string]> {
  const marker = '\ngroups:\n';
  const at = cliOutput.indexOf(marker);
  if (at < 0) throw new Error(`no groups in:\n${cliOutput.slice(0, 400)}`);
  return cliOutput
    .slice(at + marker.length)
    .split(/^(?=- name: )/m)
    .filter((chunk) => chunk.length > 0)
    .map((chunk) => [/^- name: (.+)$/m.exec(chunk)![1]!, chunk]);
}

/** One group printed in Sloth's layout, the same slice groupTexts takes. */
function groupText(group: OutputRuleGroup): string {
  const printed = slothCliRules([group], SLOTH_VERSION);
  const prefix = `${slothCliHeader(SLOTH_VERSION)}groups:\n`;
  if (!printed.startsWith(prefix)) throw new Error('unexpected Sloth layout');
  return printed.slice(prefix.length);
}

/** The SLO as Sloth knows it: infermon's options off, Sloth's page and ticket alerts instead of one per tier. */
function asSloth(slo: SlothSlo): SlothSlo {
  const { tiers: _oneAlertPerTier, ...alerting } = slo.alerting;
  return { ...slo, alerting, options: { ...slo.options, mode: 'sloth', zeroTrafficGuard: false, minEventRate: undefined } };
}

/** An SLI recording without the zero-traffic guard; fails unless the guard has exactly its documented form. */
function withoutGuard(slo: SlothSlo, rule: OutputRuleGroup['rules'][number]): OutputRuleGroup['rules'][number] {
  if (!rule.record?.startsWith('slo:sli_error:ratio_rate') || rule.expr.startsWith('sum_over_time(')) return rule;
  const events = /^(\(.*\))\n\/\n\(\((.*)\) > 0\)\n$/s.exec(rule.expr);
  if (slo.sli.kind === 'events' && events) return { ...rule, expr: `${events[1]}\n/\n(${events[2]})\n` };
  const raw = /^(\(.*\)) >= 0 < \+Inf$/s.exec(rule.expr);
  if (slo.sli.kind === 'raw' && raw) return { ...rule, expr: raw[1]! };
  throw new Error(`${rule.record} of ${slo.id} is not Sloth's expression plus the zero-traffic guard:\n${rule.expr}`);
}

/** A page alert without the traffic floor; fails unless the floor has exactly its documented form. */
function withoutFloor(slo: SlothSlo, rule: OutputRuleGroup['rules'][number]): OutputRuleGroup['rules'][number] {
  if (!rule.alert || rule.labels?.[SLO_LABELS.severity] !== 'page') return rule;
  const floor = /^\(\n([\s\S]*)\n\)\nand on\([a-zA-Z_, ]*\)\n\(.*\) >= [0-9.e+-]+\n$/.exec(rule.expr);
  if (!floor) throw new Error(`page alert of ${slo.id} is not Sloth's expression inside the traffic floor:\n${rule.expr}`);
  const inner = floor[1]!.split('\n').map((line) => {
    if (!line.startsWith('    ')) throw new Error(`page alert of ${slo.id}: line not indented inside the floor: ${line}`);
    return line.slice(4);
  });
  return { ...rule, expr: `${inner.join('\n')}\n` };
}

/** A native group of out/ as Sloth would have written it. */
function asSlothWrote(slo: SlothSlo, group: OutputRuleGroup): OutputRuleGroup {
  let rules = group.rules;
  if (slo.options.zeroTrafficGuard && group.name === SLO_GROUPS.sli(slo.id)) rules = rules.map((r) => withoutGuard(slo, r));
  if (slo.options.minEventRate !== undefined && group.name === SLO_GROUPS.alerts(slo.id)) rules = rules.map((r) => withoutFloor(slo, r));
  return { ...group, rules };
}

let slos: SlothSlo[] = [];
beforeAll(async () => {
  const { model } = await buildModel(join(PROJECT_ROOT, 'specs'), PROJECT_ROOT);
  if (!model) throw new Error('the project specs do not build');
  slos = (model.specs.slos ?? []).flatMap((s) => slothSlos(s.value, model.stack.value.prometheusMajor));
  const stack = model.stack.value;
  const forSlothOperator = planOf({ ...model, stack: { ...model.stack, value: { ...stack, targets: { ...stack.targets, slo: 'sloth-operator' } } } });
  const tree = mkdtempSync(join(tmpdir(), 'infermon-sloth-crs-'));
  CR_DIR = join(tree, 'kubernetes', 'sloth');
  mkdirSync(CR_DIR, { recursive: true });
  for (const a of generateArtifacts(forSlothOperator)) if (a.path.startsWith('kubernetes/sloth/')) writeFileSync(join(tree, a.path), artifactText(a));
});

describe('real Sloth over every Sloth spec in out/sloth', () => {
  it(`the judge is Sloth ${SLOTH_VERSION}`, () => {
    expect(runTool('sloth', ['version']).stdout.trim()).toBe(SLOTH_VERSION);
  });

  it('finds the Sloth specs', () => expect(specFiles.length).toBeGreaterThan(0));

  it.each(specFiles)('%s: Sloth prints byte for byte what infermon writes for these SLOs in Sloth mode', (file) => {
    const run = runSloth(file);
    const mine = slos.filter((s) => s.service === run.service && s.period === run.period);
    expect(mine.length, `SLOs of ${run.service}`).toBeGreaterThan(0);
    expect(slothCliRules(slothRuleGroups(mine.map(asSloth), SLOTH_CLI_PROM), SLOTH_VERSION)).toBe(run.stdout);
  });

  it.each(specFiles)('%s: its PrometheusServiceLevel CR, through Sloth, gives byte for byte the rules infermon writes in Sloth mode', (file) => {
    const run = runSloth(file);
    const crFile = join(CR_DIR, file.replace(/\.yml$/, '.yaml'));
    const cr = parse(readFileSync(crFile, 'utf8')) as { metadata: { name: string; namespace: string; labels?: Record<string, string> } };
    const args = run.args.map((a, i) => (run.args[i - 1] === '-i' ? crFile : a));
    const r = runTool('sloth', args, { cwd: OUT_DIR });
    expect(r.status, r.stderr).toBe(0);
    const mine = slos.filter((s) => s.service === run.service && s.period === run.period).map(asSloth);
    const expected = slothCliPrometheusRule(slothRuleGroups(mine, SLOTH_CLI_K8S), SLOTH_VERSION, cr.metadata.name, cr.metadata.namespace);
    const rules = (text: string): string => text.slice(text.indexOf('\nspec:\n'));
    expect(rules(r.stdout).length).toBeGreaterThan(10);
    expect(rules(expected)).toBe(rules(r.stdout));
    const printed = parse(r.stdout) as { metadata: Record<string, unknown> };
    expect(printed.metadata).toEqual({
      name: cr.metadata.name,
      namespace: cr.metadata.namespace,
      labels: { ...cr.metadata.labels, 'app.kubernetes.io/component': 'SLO', 'app.kubernetes.io/managed-by': 'sloth' },
    });
  });

  it.each(specFiles)('%s: the native rules in out/ hold Sloth’s groups for every Sloth-mode SLO, byte for byte', (file) => {
    const run = runSloth(file);
    const mine = slos.filter((s) => s.service === run.service && s.period === run.period && s.options.mode === 'sloth' && !tieredAlerts(s));
    const ids = new Set(mine.map((s) => s.id));
    const sloOfGroup = (name: string): SlothSlo | undefined =>
      mine.find((s) => [SLO_GROUPS.sli(s.id), SLO_GROUPS.meta(s.id), SLO_GROUPS.alerts(s.id)].includes(name));
    if (ids.size === 0) return; // every SLO of this spec runs in efficient mode
    const expected = groupTexts(run.stdout).filter(([name]) => sloOfGroup(name));
    expect(expected.length, 'Sloth groups of the Sloth-mode SLOs').toBeGreaterThanOrEqual(2 * ids.size);
    const native = parse(readFileSync(join(RULES_DIR, `slo-${fileStem(run.service)}.yml`), 'utf8')) as { groups: OutputRuleGroup[] };
    const actual = native.groups.filter((g) => sloOfGroup(g.name)).map((g): [string, string] => [g.name, groupText(asSlothWrote(sloOfGroup(g.name)!, g))]);
    expect(actual.map(([name]) => name)).toEqual(expected.map(([name]) => name));
    for (const [i, [name, text]] of actual.entries()) expect(text, name).toBe(expected[i]![1]);
  });
});
