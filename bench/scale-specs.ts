import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const real = (rel: string) => JSON.stringify(join(ROOT, rel));

/**
 * Alert groups per spec file, and per output rule file (`file:`): a large platform keeps its per-model
 * groups together rather than writing one rule file per model.
 */
export const MODELS_PER_ALERT_FILE = 100;
/** SLOs per SLO service, the shape of specs/slos.ts: one service holds the per-model SLOs of a fleet. */
export const MODELS_PER_SLO_SERVICE = 100;
/** Alerting rules in each model's group. */
export const ALERTS_PER_MODEL = 2;

export interface ScaleSpecs {
  dir: string;
  models: number;
  /** One availability SLO per model. */
  slos: number;
  specFiles: number;
}

const modelName = (i: number) => `model-${String(i).padStart(5, '0')}`;
const exportName = (i: number) => `model${String(i).padStart(5, '0')}`;
/** Alert names are unique across the specs, so each model's alerts carry its name. */
const alertPrefix = (i: number) => `Model${String(i).padStart(5, '0')}`;

/**
 * The alert group every served model gets: KV cache pressure and engine errors, scoped to the model, with
 * the promtool cases every alert needs. Written once per file as a factory, the way a platform with
 * thousands of models writes them.
 */
function alertFile(first: number, count: number): string {
  const file = JSON.stringify(`models-${String(first).padStart(5, '0')}.alerts`);
  const exports = Array.from({ length: count }, (_, k) => `export const ${exportName(first + k)}Alerts = modelAlerts(${JSON.stringify(modelName(first + k))}, ${JSON.stringify(alertPrefix(first + k))}, ${file});`);
  return `import { defineRuleGroup, promql } from 'infermon';
import { vllmKvCacheUsage, vllmRequestSuccess } from 'infermon/catalog/vllm';

function modelAlerts(model: string, prefix: string, file: string) {
  const pod = { model_name: model, engine: '0', instance: 'vllm-0:8000' };
  return defineRuleGroup({
    name: \`\${model}.alerts\`,
    file,
    team: 'inference-runtime',
    service: model,
    rules: [
      {
        alert: \`\${prefix}KvCacheNearlyFull\`,
        expr: promql\`max by (model_name, instance) (\${vllmKvCacheUsage}{model_name="\${model}"}) > 0.9\`,
        for: '10m',
        severity: 'warning',
        summary: \`KV cache of \${model} above 90%\`,
        description: 'KV cache on {{ $labels.instance }} is {{ $value | humanizePercentage }} full.',
        tests: {
          firing: [{ series: [{ metric: vllmKvCacheUsage, labels: pod, value: 0.97 }], value: 0.97 }],
          quiet: [{ series: [{ metric: vllmKvCacheUsage, labels: pod, value: 0.6 }] }],
        },
      },
      {
        alert: \`\${prefix}RequestErrors\`,
        expr: promql\`sum by (model_name) (rate(\${vllmRequestSuccess}{model_name="\${model}", finished_reason="error"}[5m])) / sum by (model_name) (rate(\${vllmRequestSuccess}{model_name="\${model}"}[5m])) > 0.05\`,
        for: '5m',
        severity: 'critical',
        summary: \`\${model} finishes more than 5% of requests with an error\`,
        description: '{{ $value | humanizePercentage }} of requests finished with an engine error.',
        tests: {
          firing: [
            {
              series: [
                { metric: vllmRequestSuccess, labels: { ...pod, finished_reason: 'stop' }, rate: 3 },
                { metric: vllmRequestSuccess, labels: { ...pod, finished_reason: 'error' }, rate: 1 },
              ],
              value: 0.25,
            },
          ],
          quiet: [{ series: [{ metric: vllmRequestSuccess, labels: { ...pod, finished_reason: 'stop' }, rate: 3 }] }],
        },
      },
    ],
  });
}

${exports.join('\n')}
`;
}

/**
 * SLO services of MODELS_PER_SLO_SERVICE models each: per model, 99.5% of its requests finish without an
 * engine error over 30 days; one burn-rate alert name per service, told apart by the `model` label.
 */
function sloFile(models: number): string {
  const exports: string[] = [];
  for (let first = 0; first < models; first += MODELS_PER_SLO_SERVICE) {
    const count = Math.min(MODELS_PER_SLO_SERVICE, models - first);
    const fleet = `fleet-${String(first / MODELS_PER_SLO_SERVICE).padStart(3, '0')}`;
    const names = Array.from({ length: count }, (_, k) => modelName(first + k));
    exports.push(`export const ${fleet.replace('-', '')}Slos = fleetSlos(${JSON.stringify(fleet)}, ${JSON.stringify(names)});`);
  }
  return `import { defineSlos } from 'infermon';
import { vllmRequestSuccess } from 'infermon/catalog/vllm';

function fleetSlos(service: string, models: string[]) {
  return defineSlos({
    service,
    labels: { team: 'inference-runtime', service },
    slos: models.map((model) => ({
      name: \`\${model}-availability\`,
      objective: 99.5,
      description: \`Requests to \${model} that finish without an engine error.\`,
      sli: {
        kind: 'ratio' as const,
        errors: { metric: vllmRequestSuccess, matchers: { model_name: model, finished_reason: 'error' } },
        total: { metric: vllmRequestSuccess, matchers: { model_name: model } },
      },
      alerting: { name: 'ModelAvailabilityBudgetBurn', labels: { model } },
    })),
  });
}

${exports.join('\n')}
`;
}

/**
 * A throw-away spec directory for `models` served models: the real stack, catalog and routing
 * (re-exported by absolute path, so nothing is copied), one alert group and one availability SLO per model.
 * The fleet runs no Kthena router, GPU-fault rules or burn-rate tiers, so the routing keeps only the inhibit
 * rules on severity.
 */
export function writeScaleSpecs(models: number): ScaleSpecs {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', `scale-${models}-`));
  let specFiles = 0;
  const write = (rel: string, body: string) => {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), body);
    specFiles++;
  };
  write('stack.ts', `export { stack } from ${real('specs/stack.ts')};\n`);
  write(
    'routing.ts',
    `import { routing as example } from ${real('specs/routing.ts')};\n` +
      `const inhibitRules = example.spec.inhibitRules.filter((rule) => rule.sourceMatchers.every((m) => m.startsWith('severity')));\n` +
      `export const routing = { ...example, spec: { ...example.spec, inhibitRules } };\n`,
  );
  write('sources.ts', `export * from ${real('specs/sources.ts')};\n`);
  for (let first = 0; first < models; first += MODELS_PER_ALERT_FILE) {
    const count = Math.min(MODELS_PER_ALERT_FILE, models - first);
    write(`alerts/models-${String(first).padStart(5, '0')}.ts`, alertFile(first, count));
  }
  write('slos.ts', sloFile(models));
  return { dir, models, slos: models, specFiles };
}
