import { StringDecoder } from 'node:string_decoder';

/** Token counts as an OpenAI-compatible server reports them. */
export interface Usage {
  promptTokens: number | undefined;
  completionTokens: number | undefined;
}

function usageFrom(value: unknown): Usage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const u = value as { prompt_tokens?: unknown; completion_tokens?: unknown };
  const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : undefined);
  return { promptTokens: n(u.prompt_tokens), completionTokens: n(u.completion_tokens) };
}

/** Adds the `finish_reason` of each choice to `reasons`, once each. */
function collectFinishReasons(choices: unknown, reasons: string[]): void {
  if (!Array.isArray(choices)) return;
  for (const c of choices) {
    const reason = (c as { finish_reason?: unknown } | null)?.finish_reason;
    if (typeof reason === 'string' && !reasons.includes(reason)) reasons.push(reason);
  }
}

/** What the router reads from a complete (non-streamed) JSON response. */
export interface CompletionSummary {
  usage: Usage | undefined;
  finishReasons: string[];
}

/** Usage and finish reasons of a complete (non-streamed) JSON response, as far as it carries them. */
export function summarizeResponse(body: Buffer): CompletionSummary {
  const finishReasons: string[] = [];
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { usage?: unknown; choices?: unknown };
    collectFinishReasons(parsed.choices, finishReasons);
    return { usage: usageFrom(parsed.usage), finishReasons };
  } catch {
    return { usage: undefined, finishReasons };
  }
}

/**
 * Follows a server-sent event stream of completion chunks: reassembles events across network chunks,
 * reads the usage of the final usage chunk and the choices' finish reasons, counts content chunks as a fallback for the output count,
 * and drops the usage-only chunk when the router asked for it on the client's behalf.
 */
export class StreamFollower {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  usage: Usage | undefined;
  readonly finishReasons: string[] = [];
  contentChunks = 0;
  sawDone = false;

  constructor(private readonly forwardUsageChunk: boolean) {}

  /** Returns the text to forward to the client for this piece of the upstream stream. */
  push(chunk: Buffer): string {
    this.buffer += this.decoder.write(chunk);
    let out = '';
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) break;
      const event = this.buffer.slice(0, end + 2);
      this.buffer = this.buffer.slice(end + 2);
      if (this.inspect(event)) out += event;
    }
    return out;
  }

  /** Whatever is left when the upstream ends (an unterminated last event). */
  flush(): string {
    const rest = this.buffer + this.decoder.end();
    this.buffer = '';
    return rest;
  }

  private inspect(event: string): boolean {
    let keep = true;
    for (const line of event.split('\n')) {
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') {
        this.sawDone = true;
        continue;
      }
      let parsed: { usage?: unknown; choices?: { delta?: { content?: unknown }; text?: unknown; finish_reason?: unknown }[] };
      try {
        parsed = JSON.parse(data) as typeof parsed;
      } catch {
        continue;
      }
      const choices = Array.isArray(parsed.choices) ? parsed.choices : [];
      for (const c of choices) {
        const text = c.delta?.content ?? c.text;
        if (typeof text === 'string' && text !== '') this.contentChunks++;
      }
      collectFinishReasons(choices, this.finishReasons);
      const usage = usageFrom(parsed.usage);
      if (usage) {
        this.usage = usage;
        if (!this.forwardUsageChunk && choices.length === 0) keep = false;
      }
    }
    return keep;
  }
}
