import type { Command } from 'commander';

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${value}`);
  return n;
}

function num(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a non-negative number: ${value}`);
  return n;
}

/** Stops once, however often a signal arrives (from the terminal and forwarded by bin/infermon.mjs). */
function stopOnSignal(close: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** `infermon sim vllm|dcgm`: simulated backends for tests and demos. */
export function registerSimCommands(program: Command): void {
  const sim = program.command('sim').description('simulated inference backends (test doubles, not replacements)');

  sim
    .command('vllm')
    .description('a vLLM-compatible OpenAI server with simulated latency, faults and vllm:* metrics')
    .requiredOption('--model <name>', 'served model name')
    .option('--port <port>', 'listen port (0 = any free port)', int, 8000)
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--lora <names...>', 'LoRA adapter names also served')
    .option('--role <role>', 'both | prefill | decode', 'both')
    .option('--ttft-ms <ms>', 'time to first token', num, 20)
    .option('--itl-ms <ms>', 'time between output tokens', num, 5)
    .option('--output-tokens <n>', 'tokens generated when max_tokens is not set', int, 16)
    .option('--max-num-seqs <n>', 'running batch size', int, 64)
    .option('--error-rate <share>', 'share of requests answered 500', num, 0)
    .option('--reset-rate <share>', 'share of connections reset', num, 0)
    .option('--stall-rate <share>', 'share of requests that stall before the first byte', num, 0)
    .option('--stall-ms <ms>', 'length of a stall', num, 0)
    .option('--break-rate <share>', 'share of streams whose connection drops after the first token', num, 0)
    .option('--otlp-endpoint <url>', 'OTLP/HTTP traces endpoint; spans continue the caller\'s traceparent (off when absent)')
    .option('--service-name <name>', 'service.name of its spans', 'vllm')
    .action(async (o: Record<string, unknown>) => {
      const role = String(o.role);
      if (!['both', 'prefill', 'decode'].includes(role)) throw new Error(`--role must be both, prefill or decode, not ${role}`);
      // Loaded on use, so `generate` and `check` never pay for the HTTP stack.
      const { startVllmSim } = await import('./vllm-server.ts');
      const tracing =
        typeof o.otlpEndpoint === 'string'
          ? (await import('../telemetry/tracing.ts')).Tracing.otlp({ serviceName: String(o.serviceName), endpoint: o.otlpEndpoint, samplingRatio: 1, exportIntervalMs: 1000 })
          : undefined;
      const running = await startVllmSim({
        model: String(o.model),
        port: o.port as number,
        host: String(o.host),
        loraAdapters: (o.lora as string[] | undefined) ?? [],
        role: role as 'both' | 'prefill' | 'decode',
        outputTokens: o.outputTokens as number,
        maxNumSeqs: o.maxNumSeqs as number,
        faults: {
          ttftMs: o.ttftMs as number,
          itlMs: o.itlMs as number,
          errorRate: o.errorRate as number,
          resetRate: o.resetRate as number,
          stallRate: o.stallRate as number,
          stallMs: o.stallMs as number,
          breakRate: o.breakRate as number,
        },
        ...(tracing ? { tracing } : {}),
      });
      console.log(`vllm simulator for ${String(o.model)} (${role}) listening on ${running.url} (metrics ${running.url}/metrics, faults ${running.url}/admin/faults)`);
      stopOnSignal(async () => {
        await running.close();
        await tracing?.shutdown();
      });
    });

  sim
    .command('dcgm')
    .description('a DCGM-exporter-compatible /metrics for simulated GPUs that follow vLLM simulators')
    .option('--port <port>', 'listen port (0 = any free port)', int, 9400)
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--gpus <n>', 'number of GPUs', int, 1)
    .option('--hostname <name>', 'value of the Hostname label', 'gpu-node-1')
    .option('--vllm <urls...>', 'base URLs of vLLM simulators; GPU i follows URL i modulo their number')
    .action(async (o: Record<string, unknown>) => {
      const { startDcgmSim } = await import('./dcgm-server.ts');
      const running = await startDcgmSim({
        port: o.port as number,
        host: String(o.host),
        gpus: o.gpus as number,
        hostname: String(o.hostname),
        vllmUrls: (o.vllm as string[] | undefined) ?? [],
      });
      console.log(`dcgm simulator listening on ${running.url} (metrics ${running.url}/metrics, admin ${running.url}/admin/load, ${running.url}/admin/xid)`);
      stopOnSignal(running.close);
    });
}
