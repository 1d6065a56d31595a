import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VLLM_METRICS } from '../../src/catalog/vllm.ts';
import { startVllmSim, type RunningVllmSim } from '../../src/runtime/sim/vllm-server.ts';
import { parseExposition, sumSamples } from '../../src/runtime/telemetry/exposition.ts';
import { conformanceProblems } from './conformance.ts';

describe('vLLM simulator', () => {
  let sim: RunningVllmSim;
  const post = (path: string, body: unknown) =>
    fetch(`${sim.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const scrape = async () => parseExposition(await (await fetch(`${sim.url}/metrics`)).text());

  beforeAll(async () => {
    sim = await startVllmSim({ model: 'llama', loraAdapters: ['sql-lora'], faults: { ttftMs: 5, itlMs: 1 }, maxNumSeqs: 2 });
  });
  afterAll(() => sim.close());

  it('answers chat and completion requests in the OpenAI shape', async () => {
    const chat = (await (await post('/v1/chat/completions', { model: 'llama', messages: [{ role: 'user', content: 'hello' }], max_tokens: 4 })).json()) as {
      object: string;
      choices: { message: { content: string }; finish_reason: string }[];
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };
    expect(chat.object).toBe('chat.completion');
    expect(chat.choices[0]!.finish_reason).toBe('length');
    expect(chat.usage).toEqual({ prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 });
    const completion = (await (await post('/v1/completions', { model: 'sql-lora', prompt: 'SELECT' })).json()) as { object: string; choices: { text: string; finish_reason: string }[] };
    expect(completion.object).toBe('text_completion');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    const missing = await post('/v1/chat/completions', { model: 'other', messages: [] });
    expect(missing.status).toBe(404);
    await missing.text();
  });

  it('streams chunks, then the usage chunk when asked, then [DONE]', async () => {
    const text = await (await post('/v1/chat/completions', { model: 'llama', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } })).text();
    const events = text.split('\n\n').filter(Boolean).map((e) => e.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const usage = JSON.parse(events.at(-2)!) as { choices: unknown[]; usage: { completion_tokens: number } };
    expect(usage.choices).toEqual([]);
    expect(usage.usage.completion_tokens).toBe(16);
    expect(events.filter((e) => e.includes('"content":"') && !e.includes('"content":""'))).toHaveLength(16);
  });

  it('queues beyond its batch size and exposes running and waiting', async () => {
    Object.assign(sim.faults, { ttftMs: 150 });
    const inflight = Array.from({ length: 5 }, () => post('/v1/completions', { model: 'llama', prompt: 'x' }).then((r) => r.text()));
    await new Promise((r) => setTimeout(r, 60));
    const during = await scrape();
    expect(sumSamples(during, 'vllm:num_requests_running')).toBe(2);
    expect(sumSamples(during, 'vllm:num_requests_waiting')).toBe(3);
    expect(sumSamples(during, 'vllm:kv_cache_usage_perc')).toBeGreaterThan(0);
    await Promise.all(inflight);
    Object.assign(sim.faults, { ttftMs: 5 });
    const after = await scrape();
    expect(sumSamples(after, 'vllm:num_requests_running')).toBe(0);
    expect(sumSamples(after, 'vllm:kv_cache_usage_perc')).toBe(0);
    expect(sumSamples(after, 'vllm:request_queue_time_seconds_sum')).toBeGreaterThan(0.1);
  });

  it('counts prefix cache hits for a repeated prompt', async () => {
    const prompt = 'A long shared system prompt. '.repeat(20);
    const before = sumSamples(await scrape(), 'vllm:prefix_cache_hits_total');
    for (let i = 0; i < 2; i++) await (await post('/v1/completions', { model: 'llama', prompt })).text();
    expect(sumSamples(await scrape(), 'vllm:prefix_cache_hits_total')).toBeGreaterThan(before);
  });

  it('changes faults at run time through the admin endpoint', async () => {
    const bad = await post('/admin/faults', { errorRate: 2 });
    expect(bad.status).toBe(400);
    await bad.text();
    const set = await post('/admin/faults', { errorRate: 1 });
    expect(((await set.json()) as { errorRate: number }).errorRate).toBe(1);
    const failed = await post('/v1/completions', { model: 'llama', prompt: 'x' });
    expect(failed.status).toBe(500);
    await failed.text();
    await (await post('/admin/faults', { errorRate: 0 })).text();
    expect(sumSamples(await scrape(), 'vllm:request_success_total', { finished_reason: 'error' })).toBe(1);
  });

  it('exposes every unconditional vllm family of the catalog, values tied to the traffic', async () => {
    const exposed = await scrape();
    expect(conformanceProblems(exposed, VLLM_METRICS)).toEqual([]);
    const finished = ['stop', 'length', 'abort', 'error', 'repetition'].map((r) => sumSamples(exposed, 'vllm:request_success_total', { finished_reason: r }));
    const e2e = sumSamples(exposed, 'vllm:e2e_request_latency_seconds_count');
    expect(finished[0]! + finished[1]!).toBe(e2e);
    expect(sumSamples(exposed, 'vllm:generation_tokens_total')).toBe(sumSamples(exposed, 'vllm:request_generation_tokens_sum'));
    expect(sumSamples(exposed, 'vllm:prompt_tokens_total')).toBe(sumSamples(exposed, 'vllm:request_prompt_tokens_sum'));
    for (const s of exposed.get('vllm:num_requests_running')!.samples) expect(s.labels).toEqual({ model_name: 'llama', engine: '0' });
  });

  it('breaks streams mid-way when told to, as a dying pod does; whole responses are unaffected', async () => {
    await (await post('/admin/faults', { breakRate: 1 })).text();
    try {
      const res = await post('/v1/chat/completions', { model: 'llama', messages: [{ role: 'user', content: 'hi' }], stream: true });
      expect(res.status).toBe(200);
      const text = await res.text().catch((err: Error) => `failed: ${err.message}`);
      expect(text).toMatch(/^failed: /);
      const whole = await post('/v1/completions', { model: 'llama', prompt: 'not streamed' });
      expect(whole.status).toBe(200);
      await whole.text();
    } finally {
      await (await post('/admin/faults', { breakRate: 0 })).text();
    }
  });
});
