import { MANAGED_BY_LABEL, OUT, fileStem, k8sName } from '../../src/conventions.ts';
import { fileHeader, yamlBuiltWhenWritten, type Artifact } from '../../src/model/artifact.ts';
import { locate, type Located } from '../../src/model/model.ts';
import { ANNOTATIONS_LIMIT_BYTES, fitsLastAppliedAsIs, goJsonBytesWithin, type SizedObject } from '../../src/model/object-size.ts';
import type { Stack } from '../../src/model/stack.ts';
import { appliesNativeSloRules, runsSlothOperator } from '../../src/model/targets.ts';
import { kubernetesArtifact, type LocatedObject } from '../kubernetes/objects.ts';
import type { SloService } from '../../src/model/slo.ts';
import { sortKeys } from '../../src/model/sort-keys.ts';
import { SLOTH_CLI_PROM } from '../../src/slo/names.ts';
import type { SlothSlo } from '../../src/slo/sloth-slo.ts';
import type { Plan } from '../../src/plan/index.ts';
import { BUILTIN_WINDOWS, SLOTH_BUILTIN_PERIODS, promDuration } from '../../src/slo/windows.ts';
import { ruleEnvelopes, type OutputRuleGroup } from '../prometheus-rules/envelopes.ts';
import { efficientRuleGroups } from './efficient-rules.ts';
import { slothRuleGroups } from './sloth-rules.ts';
import { slothCrSpec, slothPrometheusV1 } from './sloth-spec.ts';
import { SLO_TEST_EVALUATION_INTERVAL, hasSloTestCases, sloTestCases } from './unit-tests.ts';

/**
 * SLO outputs: Sloth specs (always, for interchange), native rules as a rules file with promtool unit
 * tests (always: CI judges them), and for the cluster either PrometheusServiceLevel CRs for a Sloth
 * operator or the native rules as PrometheusRules, never both.
 */

/** Directory of the AlertWindows files Sloth needs for periods it has no built-in table for. */
export const SLOTH_WINDOWS_DIR = `${OUT.sloth}/windows`;

/** Native rule groups of one service, per SLO in its mode. */
export function sloRuleGroups(slos: readonly SlothSlo[]): OutputRuleGroup[] {
  return slos.flatMap((slo) => (slo.options.mode === 'efficient' ? efficientRuleGroups(slo) : slothRuleGroups([slo], SLOTH_CLI_PROM)));
}

/** SLOs split by period: Sloth takes the period from the command line, so each period is its own file. */
function byPeriod(slos: readonly SlothSlo[]): Array<{ suffix: string; period: number; slos: SlothSlo[] }> {
  const periods = [...new Set(slos.map((s) => s.period))];
  return periods.map((period) => ({
    suffix: periods.length > 1 ? `-${promDuration(period)}` : '',
    period,
    slos: slos.filter((s) => s.period === period),
  }));
}

function slothCommand(file: string, period: number): string {
  const windows = SLOTH_BUILTIN_PERIODS.includes(period) ? '' : ` --slo-period-windows-path ${SLOTH_WINDOWS_DIR}`;
  return `Sloth: sloth generate -i ${file} --default-slo-period ${promDuration(period)}${windows}`;
}

function alertWindowsDocument(period: number, slo: SlothSlo): Record<string, unknown> {
  return {
    apiVersion: 'sloth.slok.dev/v1',
    kind: 'AlertWindows',
    spec: { sloPeriod: promDuration(period), page: slo.windows.page, ticket: slo.windows.ticket },
  };
}

function serviceLevel(name: string, service: SloService, slos: readonly SlothSlo[], stack: Stack): SizedObject & { apiVersion: string; spec: Record<string, unknown> } {
  return {
    apiVersion: 'sloth.slok.dev/v1',
    kind: 'PrometheusServiceLevel',
    metadata: { name: k8sName(name), namespace: stack.namespace, labels: sortKeys({ ...stack.commonLabels, ...MANAGED_BY_LABEL }) },
    spec: slothCrSpec(service.service, service.labels, slos),
  };
}

/**
 * The PrometheusServiceLevel CRs of one service and period: one CR while both it and the PrometheusRule
 * Sloth writes from it (about the size of the same rules in sloth mode) fit client-side `kubectl apply`,
 * else one CR per SLO, which keeps Sloth's PrometheusRules small as well.
 */
function slothServiceLevels(located: Located<SloService>, suffix: string, slos: readonly SlothSlo[], stack: Stack): LocatedObject[] {
  const service = located.value;
  const whole = serviceLevel(`${service.service}${suffix}`, service, slos, stack);
  const slothRulesFit = () => goJsonBytesWithin(slothRuleGroups(slos, SLOTH_CLI_PROM), ANNOTATIONS_LIMIT_BYTES);
  if (slos.length <= 1 || (fitsLastAppliedAsIs(whole) && slothRulesFit())) return [{ object: whole, at: locate(located) }];
  return slos.map((slo) => ({
    object: serviceLevel(`${service.service}${suffix}-${slo.name}`, service, [slo], stack),
    at: locate(located, `slos[${service.slos.findIndex((s) => s.name === slo.name)}]`),
  }));
}

export function sloArtifacts(model: Plan): Artifact[] {
  const stack = model.stack.value;
  const out: Artifact[] = [];
  const windowsByPeriod = new Map<number, { slo: SlothSlo; file: string }>();
  let needsWindowsDir = false;
  for (const { located, slos } of model.slos) {
    const service = located.value;
    const stem = fileStem(service.service);
    const specFiles = [located.file];

    for (const part of byPeriod(slos)) {
      const slothFile = `${OUT.sloth}/${stem}${part.suffix}.yml`;
      out.push({
        path: slothFile,
        format: 'yaml',
        document: slothPrometheusV1(service.service, service.labels, part.slos),
        header: fileHeader(model.stack.value, specFiles, [slothCommand(slothFile, part.period)]),
      });
      if (runsSlothOperator(stack.targets))
        out.push(
          kubernetesArtifact(
            `${OUT.kubernetes}/sloth/${stem}${part.suffix}.yaml`,
            slothServiceLevels(located, part.suffix, part.slos, stack),
            fileHeader(model.stack.value, specFiles),
          ),
        );
      if (!SLOTH_BUILTIN_PERIODS.includes(part.period)) needsWindowsDir = true;
      for (const slo of part.slos) if (!windowsByPeriod.has(slo.period)) windowsByPeriod.set(slo.period, { slo, file: located.file });
    }

    const groupsPerSlo = slos.map((slo) => sloRuleGroups([slo]));
    const groups = groupsPerSlo.flat();
    const groupLocations = groupsPerSlo.flatMap((own, i) => own.map(() => locate(located, `slos[${i}]`)));
    const ruleStem = `slo-${stem}`;
    const { ruleFile, prometheusRules, rulerFile } = ruleEnvelopes(ruleStem, groups, stack, specFiles, groupLocations);
    out.push({ path: `${OUT.prometheusRules}/${ruleStem}.yml`, ...ruleFile });
    if (rulerFile) out.push(rulerFile);
    if (appliesNativeSloRules(stack.targets)) out.push({ path: `${OUT.kubernetes}/prometheus-rules/${ruleStem}.yaml`, ...prometheusRules });

    if (service.slos.some((spec, i) => hasSloTestCases(spec, slos[i]!, stack.prometheusMajor))) {
      const testFile = () => ({
        rule_files: [`../${OUT.prometheusRules.split('/').pop()}/${ruleStem}.yml`],
        evaluation_interval: SLO_TEST_EVALUATION_INTERVAL,
        // promtool orders groups without a stated order at random; alerts must see this step's recordings.
        group_eval_order: groups.map((g) => g.name),
        tests: service.slos.flatMap((spec, i) => sloTestCases(spec, slos[i]!, stack.prometheusMajor)),
      });
      out.push(yamlBuiltWhenWritten(`${OUT.prometheusTests}/${ruleStem}.test.yml`, fileHeader(model.stack.value, specFiles), testFile));
    }
  }
  if (needsWindowsDir) {
    // Sloth replaces its built-in catalog with this directory, so the built-in periods go in too.
    for (const period of SLOTH_BUILTIN_PERIODS) {
      const table = BUILTIN_WINDOWS.get(period)!;
      if (!windowsByPeriod.has(period)) windowsByPeriod.set(period, { slo: { windows: table } as SlothSlo, file: 'src/slo/windows.ts' });
    }
    for (const [period, { slo, file }] of [...windowsByPeriod].sort(([a], [b]) => a - b)) {
      out.push({
        path: `${SLOTH_WINDOWS_DIR}/${promDuration(period)}.yaml`,
        format: 'yaml',
        document: alertWindowsDocument(period, slo),
        header: fileHeader(model.stack.value, [file]),
      });
    }
  }
  return out;
}
