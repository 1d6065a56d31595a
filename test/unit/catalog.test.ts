import { beforeAll, describe, expect, it } from 'vitest';
import { sourceSpecSchema, type Metric, type Source } from '../../src/model/catalog.ts';
import { Catalog } from '../../src/model/catalog-index.ts';
import { isSpecDeclaration } from '../../src/model/spec.ts';
import {
  ROUTER_ERROR_TYPES,
  ROUTER_FAIRNESS_QUEUE_BUCKETS,
  ROUTER_PLUGIN_DURATION_BUCKETS,
  ROUTER_REFERENCE_PLUGINS,
  ROUTER_REQUEST_DURATION_BUCKETS,
  ROUTER_PLUGINS,
} from '../../src/catalog/kthena-router.ts';
import { VLLM_ASSUMED_MAX_MODEL_LEN, VLLM_REQUEST_TOKEN_BUCKETS } from '../../src/catalog/vllm.ts';

/** Every source the built-in catalog declares, parsed exactly as the spec loader parses it. */
async function loadCatalogSources(): Promise<Source[]> {
  const module = (await import('../../src/catalog/index.ts')) as Record<string, unknown>;
  return Object.values(module)
    .filter((value) => isSpecDeclaration(value) && value.kind === 'source')
    .map((value) => sourceSpecSchema.parse((value as { spec: unknown }).spec));
}

let sources: Source[] = [];
let catalog: Catalog;

beforeAll(async () => {
  sources = await loadCatalogSources();
  catalog = new Catalog(sources);
});

function source(name: string): Source {
  const found = sources.find((s) => s.name === name);
  if (!found) throw new Error(`no source ${name}`);
  return found;
}

function family(name: string): Metric {
  const found = catalog.family(name);
  if (!found) throw new Error(`no family ${name}`);
  return found;
}

describe('catalog sources', () => {
  it('declares every expected source once', () => {
    const names = sources.map((s) => s.name).sort();
    expect(names).toEqual(
      [
        'arks-gateway',
        'blackbox',
        'cadvisor',
        'dcgm',
        'k6',
        'kthena-inference',
        'kthena-router',
        'kube-state-metrics',
        'moe-router',
        'otel-genai',
        'otel-spanmetrics',
        'prometheus',
        'rag-backend',
        'sglang',
        'vllm',
      ].sort(),
    );
  });

  it('never declares one metric name in two places', () => {
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    for (const s of sources) {
      for (const m of s.metrics) {
        const other = seen.get(m.name);
        if (other) duplicates.push(`${m.name} (${other}, ${s.name})`);
        seen.set(m.name, s.name);
      }
    }
    expect(duplicates).toEqual([]);
  });

  it('gives every histogram strictly increasing buckets and only histograms buckets', () => {
    for (const m of sources.flatMap((s) => s.metrics)) {
      if (m.type !== 'histogram') {
        expect(m.buckets, m.name).toBeUndefined();
        continue;
      }
      if (m.removedIn) continue;
      expect(m.buckets?.length, m.name).toBeGreaterThan(0);
      const b = m.buckets ?? [];
      for (let i = 1; i < b.length; i++) expect(b[i]!, `${m.name} bucket ${i}`).toBeGreaterThan(b[i - 1]!);
    }
  });

  it('lists the values of every enum label', () => {
    for (const m of sources.flatMap((s) => s.metrics)) {
      for (const [name, l] of Object.entries(m.labels)) {
        if (l.kind === 'enum') expect(l.values?.length, `${m.name}{${name}}`).toBeGreaterThan(0);
      }
    }
  });

  it('names counters with _total except where the component itself does not', () => {
    // DCGM names every series after its field; the Arks gateway registers one counter without the suffix.
    const exceptions = new Set(['gateway_token_usage']);
    for (const s of sources.filter((s) => s.name !== 'dcgm')) {
      for (const m of s.metrics) {
        if (m.type === 'counter' && !exceptions.has(m.name)) expect(m.name, m.name).toMatch(/_total$/);
      }
    }
  });

  it('points every rename at a current family', () => {
    for (const m of sources.flatMap((s) => s.metrics)) {
      if (!m.renamedTo) continue;
      const target = family(m.renamedTo);
      expect(target.removedIn, `${m.name} -> ${m.renamedTo}`).toBeUndefined();
    }
  });

  it('counts families per source', () => {
    const counts = Object.fromEntries(sources.map((s) => [s.name, s.metrics.length]));
    expect(counts['kthena-router']).toBe(11 + 1);
    for (const s of sources) expect(s.metrics.length, s.name).toBeGreaterThan(0);
  });
});

describe('Kthena router', () => {
  const expected: Record<string, { type: string; labels: string[]; buckets?: readonly number[] }> = {
    kthena_router_requests_total: { type: 'counter', labels: ['model', 'path', 'status_code', 'error_type'] },
    kthena_router_request_duration_seconds: {
      type: 'histogram',
      labels: ['model', 'path', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    },
    kthena_router_request_prefill_duration_seconds: {
      type: 'histogram',
      labels: ['model', 'path', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    },
    kthena_router_request_decode_duration_seconds: {
      type: 'histogram',
      labels: ['model', 'path', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    },
    kthena_router_active_downstream_requests: { type: 'gauge', labels: ['model'] },
    kthena_router_active_upstream_requests: { type: 'gauge', labels: ['model_route', 'model_server'] },
    kthena_router_tokens_total: { type: 'counter', labels: ['model', 'path', 'token_type'] },
    kthena_router_scheduler_plugin_duration_seconds: {
      type: 'histogram',
      labels: ['model', 'plugin', 'type'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
    },
    kthena_router_rate_limit_exceeded_total: { type: 'counter', labels: ['model', 'limit_type', 'path'] },
    kthena_router_fairness_queue_size: { type: 'gauge', labels: ['model', 'user_id'] },
    kthena_router_fairness_queue_duration_seconds: {
      type: 'histogram',
      labels: ['model', 'user_id'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    },
  };

  it('has exactly the eleven specified families with their label sets and buckets', () => {
    const router = source('kthena-router');
    const kthena = router.metrics.filter((m) => m.name.startsWith('kthena_router_'));
    expect(kthena.map((m) => m.name).sort()).toEqual(Object.keys(expected).sort());
    for (const m of kthena) {
      const want = expected[m.name]!;
      expect(m.type, m.name).toBe(want.type);
      expect(Object.keys(m.labels).sort(), m.name).toEqual([...want.labels].sort());
      expect(m.buckets, m.name).toEqual(want.buckets);
    }
  });

  it('keeps the reference router\'s own families apart: their own prefix, conditional on that router', () => {
    const extensions = source('kthena-router').metrics.filter((m) => !m.name.startsWith('kthena_router_'));
    expect(extensions.map((m) => m.name)).toEqual(['infermon_router_goodput_requests_total']);
    for (const m of extensions) expect(m.conditional, m.name).toMatch(/reference router/);
    expect(family('infermon_router_goodput_requests_total').labels.outcome).toEqual({ kind: 'enum', values: ['met', 'failed', 'ttft_missed', 'itl_missed'], description: expect.any(String) });
  });

  it('exports the bucket constants the families use', () => {
    expect(family('kthena_router_request_duration_seconds').buckets).toEqual([...ROUTER_REQUEST_DURATION_BUCKETS]);
    expect(family('kthena_router_scheduler_plugin_duration_seconds').buckets).toEqual([...ROUTER_PLUGIN_DURATION_BUCKETS]);
    expect(family('kthena_router_fairness_queue_duration_seconds').buckets).toEqual([...ROUTER_FAIRNESS_QUEUE_BUCKETS]);
  });

  it('enumerates token, limit and plugin label values', () => {
    expect(family('kthena_router_tokens_total').labels['token_type']?.values).toEqual(['input', 'output']);
    expect(family('kthena_router_rate_limit_exceeded_total').labels['limit_type']?.values).toEqual([
      'input_tokens',
      'output_tokens',
      'requests',
    ]);
    const plugin = family('kthena_router_scheduler_plugin_duration_seconds');
    expect(plugin.labels['type']?.values).toEqual(['filter', 'score']);
    for (const p of [...ROUTER_REFERENCE_PLUGINS.filter, ...ROUTER_REFERENCE_PLUGINS.score])
      expect(plugin.labels['plugin']?.values).toContain(p);
    expect(plugin.labels['plugin']?.values).toEqual([...ROUTER_PLUGINS]);
  });

  it('treats error_type as a finish reason that includes success', () => {
    const errorType = family('kthena_router_requests_total').labels['error_type'];
    expect(errorType?.kind).toBe('enum');
    expect(errorType?.values).toEqual([...ROUTER_ERROR_TYPES]);
    expect(errorType?.values).toContain('successful_request');
    expect(errorType?.values).toContain('request_failed');
    expect(errorType?.values).not.toContain('request_parsing');
  });

  it('keeps user_id bounded and marks PD and fairness families conditional', () => {
    expect(family('kthena_router_fairness_queue_size').labels['user_id']?.kind).toBe('bounded');
    for (const name of [
      'kthena_router_request_prefill_duration_seconds',
      'kthena_router_request_decode_duration_seconds',
      'kthena_router_fairness_queue_size',
      'kthena_router_fairness_queue_duration_seconds',
    ])
      expect(family(name).conditional, name).toBeTruthy();
    expect(family('kthena_router_requests_total').conditional).toBeUndefined();
  });

  it('is scraped on port 15000 in kthena-system', () => {
    const router = source('kthena-router');
    expect(router.port.number).toBe(15000);
    expect(router.path).toBe('/metrics');
    expect(router.kubernetes?.namespace).toBe('kthena-system');
  });
});

describe('vLLM', () => {
  it('has the current KV-cache gauge and the removed one renamed to it', () => {
    expect(family('vllm:kv_cache_usage_perc').removedIn).toBeUndefined();
    const old = family('vllm:gpu_cache_usage_perc');
    expect(old.removedIn).toBe('0.12');
    expect(old.renamedTo).toBe('vllm:kv_cache_usage_perc');
    expect(family('vllm:time_per_output_token_seconds').renamedTo).toBe('vllm:inter_token_latency_seconds');
    expect(family('vllm:gpu_prefix_cache_hits_total').renamedTo).toBe('vllm:prefix_cache_hits_total');
    expect(family('vllm:num_requests_swapped').removedIn).toBeTruthy();
    expect(family('vllm:cpu_cache_usage_perc').removedIn).toBeTruthy();
  });

  it('labels engine metrics with model_name and engine, except the documented exceptions', () => {
    expect(Object.keys(family('vllm:num_requests_running').labels).sort()).toEqual(['engine', 'model_name']);
    expect(family('vllm:lora_requests_info').labels['model_name']).toBeUndefined();
    expect(family('vllm:cache_config_info').labels['model_name']).toBeUndefined();
    expect(family('vllm:admission_rejections_total').labels['engine']).toBeUndefined();
  });

  it('keeps the counter-like histogram vllm:iteration_tokens_total a histogram', () => {
    expect(family('vllm:iteration_tokens_total').type).toBe('histogram');
    expect(catalog.lookupSeries('vllm:iteration_tokens_total_bucket')?.suffix).toBe('_bucket');
  });

  it('enumerates finish reasons and uses 1-2-5 token buckets up to the assumed max_model_len', () => {
    expect(family('vllm:request_success_total').labels['finished_reason']?.values).toEqual([
      'stop',
      'length',
      'abort',
      'error',
      'repetition',
    ]);
    expect(VLLM_REQUEST_TOKEN_BUCKETS).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]);
    expect(Math.max(...VLLM_REQUEST_TOKEN_BUCKETS)).toBeLessThanOrEqual(VLLM_ASSUMED_MAX_MODEL_LEN);
    expect(family('vllm:request_prompt_tokens').buckets).toEqual([...VLLM_REQUEST_TOKEN_BUCKETS]);
  });

  it('marks flag-dependent families conditional', () => {
    for (const name of [
      'vllm:spec_decode_num_drafts_total',
      'vllm:kv_block_lifetime_seconds',
      'vllm:estimated_flops_per_gpu_total',
      'vllm:nixl_xfer_time_seconds',
      'vllm:corrupted_requests_total',
      'vllm:lora_requests_info',
      'vllm:engine_healthy',
    ])
      expect(family(name).conditional, name).toBeTruthy();
    expect(family('vllm:time_to_first_token_seconds').conditional).toBeUndefined();
  });
});

describe('DCGM exporter', () => {
  it('uses the exporter label spelling: Hostname, UUID, modelName, DCGM_FI_DRIVER_VERSION', () => {
    const labels = Object.keys(family('DCGM_FI_DEV_GPU_UTIL').labels);
    for (const l of ['gpu', 'UUID', 'pci_bus_id', 'device', 'modelName', 'Hostname', 'DCGM_FI_DRIVER_VERSION'])
      expect(labels).toContain(l);
    for (const l of ['hostname', 'uuid', 'model_name', 'exported_namespace']) expect(labels).not.toContain(l);
    expect(catalog.family('DCGM_FI_DRIVER_VERSION')).toBeUndefined();
  });

  it('carries err_code and err_msg only on XID errors', () => {
    expect(Object.keys(family('DCGM_FI_DEV_XID_ERRORS').labels)).toEqual(expect.arrayContaining(['err_code', 'err_msg']));
    expect(family('DCGM_FI_DEV_FB_USED').labels['err_code']).toBeUndefined();
  });

  it('states the exporter units and types', () => {
    expect(family('DCGM_FI_DEV_FB_USED').unit).toBe('mebibytes');
    expect(family('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')).toMatchObject({ type: 'counter', unit: 'millijoules' });
    expect(family('DCGM_FI_DEV_GPU_UTIL').unit).toBe('percent');
    expect(family('DCGM_FI_PROF_GR_ENGINE_ACTIVE').unit).toBe('ratio');
    expect(family('DCGM_FI_PROF_PCIE_TX_BYTES')).toMatchObject({ type: 'gauge', unit: 'bytes_per_second' });
  });

  it('honours the workload labels the exporter reports', () => {
    const dcgm = source('dcgm');
    expect(dcgm.port).toEqual({ name: 'metrics', number: 9400 });
    expect(dcgm.kubernetes?.honorLabels).toBe(true);
  });
});

describe('other sources', () => {
  it('keeps the Arks token counter without _total and its model in the token label', () => {
    const usage = family('gateway_token_usage');
    expect(usage.type).toBe('counter');
    expect(Object.keys(usage.labels).sort()).toEqual(['namespace', 'token', 'type', 'user']);
    expect(family('gateway_quota_usage').conditional).toBeTruthy();
  });

  it('lets the RAG error-rate alert select status="error"', () => {
    expect(family('rag_requests_total').labels['status']?.values).toEqual(['success', 'error']);
    expect(source('rag-backend').kubernetes?.serviceLabels).toBeUndefined();
  });

  it('delivers k6 by remote write, platform series by the stack, up by Prometheus', () => {
    expect(source('k6').delivery).toBe('remote-write');
    expect(source('k6').kubernetes).toBeUndefined();
    expect(source('kube-state-metrics').delivery).toBe('platform');
    expect(source('cadvisor').delivery).toBe('platform');
    expect(source('prometheus').delivery).toBe('prometheus');
    expect(family('up').labels['job']).toBeUndefined();
  });

  it('tags SGLang scheduler series with the engine role and ranks', () => {
    const running = family('sglang:num_running_reqs');
    expect(running.labels['engine_type']?.values).toEqual(['unified', 'prefill', 'decode']);
    expect(Object.keys(running.labels)).toEqual(expect.arrayContaining(['model_name', 'tp_rank', 'pp_rank']));
  });
});
