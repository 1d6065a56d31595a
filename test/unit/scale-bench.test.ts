import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, checkModel, generateArtifacts } from '../../src/pipeline.ts';
import { OUT } from '../../src/conventions.ts';
import { summarizeProfile } from '../../bench/cpu-profile.ts';
import { ALERTS_PER_MODEL, MODELS_PER_ALERT_FILE, MODELS_PER_SLO_SERVICE, writeScaleSpecs } from '../../bench/scale-specs.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

describe('scale benchmark specs', () => {
  it('are a clean spec set: no diagnostics, an alert group and an SLO per model, grouped into shared files', async () => {
    const models = MODELS_PER_ALERT_FILE + 2;
    const specs = writeScaleSpecs(models);
    try {
      expect(readdirSync(join(specs.dir, 'alerts'))).toHaveLength(2);
      const { model, diagnostics } = await buildModel(specs.dir, PROJECT_ROOT);
      expect(model).toBeDefined();
      checkModel(model!, diagnostics);
      expect(diagnostics.items.map((d) => `${d.code} ${d.file}: ${d.path} ${d.message}`)).toEqual([]);
      expect(model!.specs.rules).toHaveLength(models);
      expect(model!.specs.rules.flatMap((g) => g.value.rules)).toHaveLength(models * ALERTS_PER_MODEL);
      expect(model!.specs.slos.flatMap((s) => s.value.slos)).toHaveLength(specs.slos);
      const services = Math.ceil(models / MODELS_PER_SLO_SERVICE);
      expect(model!.specs.slos).toHaveLength(services);
      const paths = generateArtifacts(model!).map((a) => a.path);
      expect(paths.filter((p) => p.startsWith(`${OUT.sloth}/fleet-`))).toHaveLength(services);
      expect(paths.filter((p) => p.startsWith(`${OUT.prometheusRules}/slo-fleet-`))).toHaveLength(services);
      expect(paths.filter((p) => /^prometheus\/rules\/models-\d+-alerts\.yml$/.test(p))).toHaveLength(Math.ceil(models / MODELS_PER_ALERT_FILE));
    } finally {
      rmSync(specs.dir, { recursive: true, force: true });
    }
  });
});

describe('CPU profile summary', () => {
  it('names the function that burns the CPU by self time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infermon-cpuprof-'));
    try {
      const script = join(dir, 'busy.mjs');
      writeFileSync(script, 'function spinForAWhile() { const end = Date.now() + 300; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1); return x; }\nspinForAWhile();\n');
      const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', join(dir, 'prof'), script], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      const [profile] = readdirSync(join(dir, 'prof'));
      const summary = summarizeProfile(join(dir, 'prof', profile!), PROJECT_ROOT);
      expect(summary.totalMs).toBeGreaterThan(200);
      const spin = summary.self.find((s) => s.frame.startsWith('spinForAWhile '));
      expect(spin?.selfMs ?? 0).toBeGreaterThan(100);
      expect(spin!.frame).toMatch(/busy\.mjs:1$/);
      expect(summary.project).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
