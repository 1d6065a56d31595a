import { describe, expect, it } from 'vitest';
import { dcgm } from '../../src/catalog/dcgm.ts';
import { kthenaRouter } from '../../src/catalog/kthena-router.ts';
import { sglang } from '../../src/catalog/sglang.ts';
import { vllm } from '../../src/catalog/vllm.ts';
import { sourceSpecSchema, type Metric, type Source, type SourceSpec } from '../../src/model/catalog.ts';
import { changesBetween, releaseIndex, resolveRelease, sourceAt } from '../../src/model/catalog-versions.ts';

/**
 * The catalog at a pinned upstream release: families present, absent or renamed at each release, and
 * labels, types, units and buckets as that release exposes them, built from each source's current entries
 * and its recorded history.
 */

const parsed = (spec: { spec: SourceSpec }): Source => sourceSpecSchema.parse(spec.spec);
const VLLM = parsed(vllm);
const DCGM = parsed(dcgm);
const ROUTER = parsed(kthenaRouter);
const SGLANG = parsed(sglang);

type Family = Source['metrics'][number] & Pick<Metric, 'absentUntil' | 'pinned'>;

function familyAt(source: Source, version: string, name: string): Family {
  const family = sourceAt(source, version).metrics.find((m) => m.name === name);
  if (!family) throw new Error(`${name} is not in ${source.name}`);
  return family;
}

/** The fields that say whether and how a family exists at the pinned release. */
function status(family: Family) {
  const { removedIn, deprecated, renamedTo, absentUntil, pinned } = family;
  return Object.fromEntries(Object.entries({ removedIn, deprecated, renamedTo, absentUntil, pinned }).filter(([, v]) => v !== undefined));
}

describe('releases', () => {
  it('matches a pin to the release line it belongs to', () => {
    const history = VLLM.history!;
    expect(resolveRelease(history, '0.11')).toBe('0.11');
    expect(resolveRelease(history, 'v0.11.2')).toBe('0.11');
    expect(resolveRelease(DCGM.history!, '4.0')).toBe('4.0.0-4.0.1');
    expect(resolveRelease(ROUTER.history!, '1.0.0')).toBe('v1.0.0');
    expect(resolveRelease(history, '9.9')).toBeUndefined();
    expect(releaseIndex(history, '0.9')!).toBeLessThan(releaseIndex(history, '0.10')!);
  });

  it('leaves a source at its current release as it is, so the generated output does not move', () => {
    for (const source of [VLLM, DCGM, ROUTER, SGLANG]) expect(sourceAt(source, source.history!.current)).toBe(source);
    expect(sourceAt(VLLM)).toBe(VLLM);
  });
});

describe('vLLM across releases', () => {
  it('has vllm:gpu_cache_usage_perc until 0.12, where it is renamed to vllm:kv_cache_usage_perc', () => {
    const at8 = familyAt(VLLM, '0.8', 'vllm:gpu_cache_usage_perc');
    expect(status(at8)).toEqual({ pinned: '0.8' });
    expect(familyAt(VLLM, '0.8', 'vllm:kv_cache_usage_perc').absentUntil).toBe('0.9');
    expect(status(familyAt(VLLM, '0.10', 'vllm:gpu_cache_usage_perc'))).toEqual({ deprecated: '0.9', renamedTo: 'vllm:kv_cache_usage_perc', pinned: '0.10' });
    expect(familyAt(VLLM, '0.10', 'vllm:kv_cache_usage_perc').absentUntil).toBeUndefined();
    expect(familyAt(VLLM, '0.12', 'vllm:gpu_cache_usage_perc')).toMatchObject({ removedIn: '0.12', renamedTo: 'vllm:kv_cache_usage_perc' });
  });

  it('has vllm:inter_token_latency_seconds from 0.11, and vllm:time_per_output_token_seconds until 0.15', () => {
    expect(familyAt(VLLM, '0.10', 'vllm:inter_token_latency_seconds').absentUntil).toBe('0.11');
    expect(status(familyAt(VLLM, '0.10', 'vllm:time_per_output_token_seconds'))).toEqual({ pinned: '0.10' });
    expect(status(familyAt(VLLM, '0.14', 'vllm:time_per_output_token_seconds'))).toEqual({ deprecated: '0.11', renamedTo: 'vllm:inter_token_latency_seconds', pinned: '0.14' });
    expect(familyAt(VLLM, '0.15', 'vllm:time_per_output_token_seconds')).toMatchObject({ removedIn: '0.15', renamedTo: 'vllm:inter_token_latency_seconds' });
  });

  it('has the shorter latency buckets before 0.9', () => {
    expect(familyAt(VLLM, '0.8', 'vllm:time_to_first_token_seconds').buckets!.at(-1)).toBe(10);
    expect(familyAt(VLLM, '0.8', 'vllm:e2e_request_latency_seconds').buckets!.at(-1)).toBe(60);
    expect(familyAt(VLLM, '0.9', 'vllm:time_to_first_token_seconds').buckets!.at(-1)).toBe(2560);
    const change = changesBetween(VLLM.history!, 'vllm:time_to_first_token_seconds', '0.8', '0.10')[0]!;
    expect(change).toMatchObject({ change: 'rebucketed', version: '0.9', ref: { repo: 'vllm-project/vllm', pr: 15202 } });
  });
});

describe('dcgm-exporter across releases', () => {
  it('exposes the PCIe profiling fields as byte counters in 3.x and as byte-rate gauges from 4.0.0-4.0.1', () => {
    expect(familyAt(DCGM, '3.3.9-3.6.1', 'DCGM_FI_PROF_PCIE_TX_BYTES')).toMatchObject({ type: 'counter', unit: 'bytes' });
    expect(familyAt(DCGM, '4.0.0-4.0.1', 'DCGM_FI_PROF_PCIE_TX_BYTES')).toMatchObject({ type: 'gauge', unit: 'bytes_per_second' });
  });

  it('adds the DCP activity fields in 4.0.0-4.0.1 and the reserved framebuffer in 4.3.1-4.4.0', () => {
    expect(familyAt(DCGM, '3.3.9-3.6.1', 'DCGM_FI_PROF_GR_ENGINE_ACTIVE').absentUntil).toBe('4.0.0-4.0.1');
    expect(familyAt(DCGM, '4.2.3-4.2.0', 'DCGM_FI_DEV_FB_RESERVED').absentUntil).toBe('4.3.1-4.4.0');
    expect(familyAt(DCGM, '4.3.1-4.4.0', 'DCGM_FI_DEV_FB_RESERVED').absentUntil).toBeUndefined();
  });

  it('spells the host label Hostname in releases and hostname on main from d5e5f51', () => {
    const current = familyAt(DCGM, '4.5.3-4.8.2', 'DCGM_FI_DEV_GPU_TEMP');
    const main = familyAt(DCGM, 'main@d5e5f51', 'DCGM_FI_DEV_GPU_TEMP');
    expect(Object.keys(current.labels)).toContain('Hostname');
    expect(Object.keys(main.labels)).toContain('hostname');
    expect(Object.keys(main.labels)).not.toContain('Hostname');
    // The relabelled family keeps every other label and its type.
    expect(Object.keys(main.labels)).toHaveLength(Object.keys(current.labels).length);
    expect(main.type).toBe('gauge');
  });
});

describe('Kthena router across releases', () => {
  it('adds the route and backend labels on main after v1.0.0', () => {
    const released = familyAt(ROUTER, 'v1.0.0', 'kthena_router_requests_total');
    const main = familyAt(ROUTER, 'main@3cc0572', 'kthena_router_requests_total');
    expect(Object.keys(released.labels).sort()).toEqual(['error_type', 'model', 'path', 'status_code']);
    expect(Object.keys(main.labels).sort()).toEqual(['backend_name', 'backend_type', 'error_type', 'model', 'model_route', 'path', 'status_code', 'upstream_model']);
    expect(familyAt(ROUTER, 'v0.4.0', 'kthena_router_requests_total').labels).toEqual(released.labels);
  });
});

describe('SGLang across releases', () => {
  it('measures inter-token latency from 0.4.4 and drops the time-per-output-token name in 0.4.5', () => {
    expect(familyAt(SGLANG, '0.4.3', 'sglang:inter_token_latency_seconds').absentUntil).toBe('0.4.4');
    expect(status(familyAt(SGLANG, '0.4.4', 'sglang:time_per_output_token_seconds'))).toEqual({ pinned: '0.4.4' });
    expect(familyAt(SGLANG, '0.4.5', 'sglang:time_per_output_token_seconds')).toMatchObject({ removedIn: '0.4.5', renamedTo: 'sglang:inter_token_latency_seconds' });
    expect(familyAt(SGLANG, '0.4.4.post1', 'sglang:inter_token_latency_seconds').buckets!.at(-1)).toBe(2);
    expect(familyAt(SGLANG, '0.4.5', 'sglang:inter_token_latency_seconds').buckets!.at(-1)).toBe(8);
  });

  it('labels the scheduler families with the engine type from 0.4.4, the ranks from 0.4.10 and the expert rank from 0.5.8', () => {
    const labels = (v: string) => Object.keys(familyAt(SGLANG, v, 'sglang:num_running_reqs').labels).sort();
    expect(labels('0.4.3')).toEqual(['model_name']);
    expect(labels('0.4.7')).toEqual(['engine_type', 'model_name']);
    expect(labels('0.5.5')).toEqual(['engine_type', 'model_name', 'pp_rank', 'tp_rank']);
    expect(labels('0.5.10')).toEqual(['engine_type', 'model_name', 'moe_ep_rank', 'pp_rank', 'tp_rank']);
  });

  it('turns the KV transfer gauges into histograms in 0.5.12 and labels request families by engine type and streaming after it', () => {
    expect(familyAt(SGLANG, '0.5.10', 'sglang:kv_transfer_speed_gb_s').type).toBe('gauge');
    expect(familyAt(SGLANG, '0.5.12', 'sglang:kv_transfer_speed_gb_s').type).toBe('histogram');
    expect(Object.keys(familyAt(SGLANG, '0.5.10', 'sglang:time_to_first_token_seconds').labels)).toEqual(['model_name']);
    expect(Object.keys(familyAt(SGLANG, '0.5.18', 'sglang:time_to_first_token_seconds').labels).sort()).toEqual(['engine_type', 'is_streaming', 'model_name']);
    expect(familyAt(SGLANG, '0.5.23', 'sglang:num_prefill_prealloc_queue_reqs')).toMatchObject({ removedIn: '0.5.12', renamedTo: 'sglang:num_prefill_bootstrap_queue_reqs' });
    expect(familyAt(SGLANG, '0.5.15', 'sglang:engine_startup_time').removedIn).toBeUndefined();
    expect(familyAt(SGLANG, '0.5.18', 'sglang:engine_startup_time').removedIn).toBe('0.5.18');
  });

  it('records every change with the tag it was read at, in the file of that release', () => {
    const history = SGLANG.history!;
    for (const c of history.changes) {
      expect(history.releases).toContain(c.version);
      expect(c.ref.at).toBe(`v${c.version}`);
      expect(SGLANG.metrics.map((m) => m.name)).toContain(c.family);
    }
    const moved = history.changes.filter((c) => c.ref.path.endsWith('observability/metrics_collector.py')).map((c) => c.version);
    expect(new Set(moved)).toEqual(new Set(['0.5.10', '0.5.12', '0.5.18']));
  });
});
