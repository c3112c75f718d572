/**
 * One call to the LLM through the official openai SDK, on the chat or the legacy completion
 * endpoint as the model requires: what the exchange activities (exchange, summarise, recap) run.
 * The SDK does not retry (Temporal does, durably, per the workflow's policy). It heartbeats while
 * it waits and for every streamed chunk, and stops when Temporal cancels the activity. When the
 * requester streams, text is released sentence by sentence only once the guard has passed it, so
 * no streamed text is something the guard would block: with `n` > 1 each choice by a guard of
 * its own, and the log probabilities of a choice's tokens only with the text they spell.
 */
import { performance } from 'node:perf_hooks';
import type {
  CompletionMessage,
  CompletionOptions,
  ModelSettings,
  TokenLogprob,
  ToolCall,
  Usage,
} from '@lab/contracts';
import { parseCompletion, StreamingGuard } from '@lab/conversation';
import type { Context } from '@temporalio/activity';
import type OpenAI from 'openai';
import { errorKind, recordCall } from '../metrics/metrics';
import type { TurnStreamPublisher } from '../stream/turn-stream';
import { toLlmFailure } from './llm-failure';

const HEARTBEAT_EVERY_MS = 3_000;

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

/** What the model is sent: chat messages, or a prompt string and stop sequences. */
export interface ModelRequest {
  /** Chat messages; with tools, the caller's conversation may carry tool calls and results. */
  messages?: Array<ChatMessage | CompletionMessage>;
  prompt?: string;
  stop?: string[];
  seed?: number;
  /** A completion's JSON mode (chat models only). */
  responseFormat?: CompletionOptions['responseFormat'];
  /** A completion's functions (chat models only), with the caller's choice among them. */
  tools?: CompletionOptions['tools'];
  toolChoice?: unknown;
  parallelToolCalls?: boolean;
  /** Choices to ask for (chat models only; absent: one). */
  n?: number;
  /** The reply's log probabilities, with `topLogprobs` alternatives each (chat models only). */
  logprobs?: boolean;
  topLogprobs?: number;
}

export interface ModelCall extends ModelRequest {
  model: ModelSettings;
  /** When streaming: guard the text sentence by sentence before releasing it to the channel. */
  stream?: {
    channel: string;
    initialPrompt: string;
    guardThreshold: number;
    /** The canary in the prompt sent to the model (never serialised: the call runs in-process). */
    canary?: string;
  };
}

/** One choice of the model's answer: its text, how it ended, its calls, its tokens. */
export interface ModelChoice {
  text: string;
  finishReason: string;
  /** The model's calls of the caller's functions. */
  toolCalls?: ToolCall[];
  /** The log probabilities of its tokens, when asked for. */
  logprobs?: TokenLogprob[];
  /** Set when the streaming guard stopped this choice's stream. */
  streamGuardHit?: boolean;
}

/**
 * The model's answer: the first choice, and with `n` > 1 the others (`choices`, in order).
 * Streamed, every choice is released sentence by sentence once its own guard passes it.
 */
export interface ModelAnswer extends ModelChoice {
  usage: Usage;
  choices?: ModelChoice[];
  latencyMs: number;
}

export interface CallDependencies {
  /** The client to call with: the worker's, or one with the user's own key. */
  client: OpenAI;
  /** Whether the client carries the user's own key (its 401 is the user's, not ours). */
  userKey: boolean;
  stream: TurnStreamPublisher;
  context: Context;
  /**
   * The semantic stage, when it applies to this call: each streamed release waits for it, and
   * a release it finds too close to the prompt stops the stream like the guard does.
   */
  semantic?: (text: string) => Promise<boolean>;
}

export async function callModel(
  { client, userKey, stream, context, semantic }: CallDependencies,
  input: ModelCall,
): Promise<ModelAnswer> {
  const labels = { model: input.model.model, endpoint: input.model.endpoint };
  const started = performance.now();
  const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    const outcome = input.stream
      ? await streamed(client, stream, input, input.stream, context, semantic)
      : await whole(client, input, context.cancellationSignal);
    const latencyMs = performance.now() - started;
    recordCall(labels, latencyMs / 1000, {
      ok: true,
      promptTokens: outcome.usage.promptTokens,
      completionTokens: outcome.usage.completionTokens,
      streamGuardHit:
        outcome.streamGuardHit === true ||
        (outcome.choices ?? []).some((choice) => choice.streamGuardHit === true),
    });
    return { ...outcome, latencyMs: Math.round(latencyMs) };
  } catch (error) {
    const failure = toLlmFailure(error, { userKey });
    recordCall(labels, (performance.now() - started) / 1000, {
      ok: false,
      kind: errorKind(failure, context.cancellationSignal.aborted),
    });
    throw failure;
  } finally {
    clearInterval(heartbeat);
  }
}

/**
 * A finished answer released to a streaming requester again (a retried attempt that reuses the
 * answer an earlier attempt got): through the same sentence guard, after a `reset`.
 */
export async function replayStream(
  publisher: TurnStreamPublisher,
  options: NonNullable<ModelCall['stream']>,
  attempt: number,
  text: string,
  semantic?: (text: string) => Promise<boolean>,
  logprobs?: TokenLogprob[],
): Promise<boolean> {
  const guard = new StreamingGuard(options.initialPrompt, guardOptions(options));
  const tokens = logprobs ? new ReleasedTokens() : undefined;
  tokens?.add(logprobs ?? []);
  await publisher.publish(options.channel, { type: 'reset', attempt });
  let guarded = false;
  const steps = [guard.push(text), guard.finish()];
  for (const [index, pushed] of steps.entries()) {
    if (guarded) break;
    const step =
      pushed.release && semantic && (await semantic(pushed.release))
        ? { ...pushed, release: '', leaked: true }
        : pushed;
    const covered = tokens && !step.leaked ? tokens.release(step.release, index === 1) : [];
    if (step.release || covered.length > 0)
      await publisher.publish(options.channel, {
        type: 'delta',
        text: step.release,
        ...(tokens ? { logprobs: covered } : {}),
      });
    if (step.leaked && !guarded) {
      guarded = true;
      await publisher.publish(options.channel, { type: 'guarded' });
    }
  }
  return guarded;
}

/**
 * A streamed choice's token log probabilities, handed out with the text they spell once the
 * guard has released it (never ahead of it: they spell the reply out). Matched by UTF-8 bytes,
 * as a token may end inside a character.
 */
export class ReleasedTokens {
  private readonly pending: TokenLogprob[] = [];
  private released = 0;
  private covered = 0;

  add(entries: readonly TokenLogprob[]): void {
    this.pending.push(...entries);
  }

  /** The tokens the text released so far covers; `all` on the last release (the rest). */
  release(text: string, all = false): TokenLogprob[] {
    this.released += Buffer.byteLength(text, 'utf8');
    const out: TokenLogprob[] = [];
    while (this.pending.length > 0) {
      const next = this.pending[0] as TokenLogprob;
      const size = next.bytes?.length ?? Buffer.byteLength(next.token, 'utf8');
      if (!all && this.covered + size > this.released) break;
      this.covered += size;
      out.push(next);
      this.pending.shift();
    }
    return out;
  }
}

type Outcome = Omit<ModelAnswer, 'latencyMs'>;

function guardOptions(options: NonNullable<ModelCall['stream']>) {
  return {
    threshold: options.guardThreshold,
    ...(options.canary ? { canary: options.canary } : {}),
  };
}

function sampling(input: ModelCall) {
  return {
    model: input.model.model,
    max_tokens: input.model.maxTokens,
    temperature: input.model.temperature,
    top_p: input.model.topP,
    frequency_penalty: input.model.frequencyPenalty,
    presence_penalty: input.model.presencePenalty,
    ...(input.seed !== undefined ? { seed: input.seed } : {}),
  };
}

/** What a chat call adds to the sampling: the caller's stop sequences and JSON mode. */
function chatOptions(input: ModelCall) {
  const format = input.responseFormat;
  return {
    ...(input.stop ? { stop: input.stop } : {}),
    ...(input.tools && input.tools.length > 0
      ? {
          tools: input.tools,
          ...(input.toolChoice !== undefined ? { tool_choice: input.toolChoice } : {}),
          ...(input.parallelToolCalls !== undefined
            ? { parallel_tool_calls: input.parallelToolCalls }
            : {}),
        }
      : {}),
    ...(format?.type === 'json_object'
      ? { response_format: { type: 'json_object' as const } }
      : {}),
    ...(format?.type === 'json_schema' && format.jsonSchema
      ? {
          response_format: {
            type: 'json_schema' as const,
            json_schema: {
              name: format.jsonSchema.name,
              ...(format.jsonSchema.description
                ? { description: format.jsonSchema.description }
                : {}),
              schema: format.jsonSchema.schema,
              strict: format.jsonSchema.strict,
            },
          },
        }
      : {}),
    ...(input.n !== undefined && input.n > 1 ? { n: input.n } : {}),
    ...(input.logprobs
      ? {
          logprobs: true,
          ...(input.topLogprobs !== undefined ? { top_logprobs: input.topLogprobs } : {}),
        }
      : {}),
  };
}

/** The chat messages as the SDK takes them (a conversation with tools in OpenAI's own shape). */
const chatMessages = (input: ModelCall) =>
  (input.messages ?? []) as OpenAI.ChatCompletionMessageParam[];

const usageOf = (usage?: { prompt_tokens?: number; completion_tokens?: number } | null): Usage => ({
  promptTokens: usage?.prompt_tokens ?? 0,
  completionTokens: usage?.completion_tokens ?? 0,
});

async function whole(openai: OpenAI, input: ModelCall, signal: AbortSignal): Promise<Outcome> {
  if (input.model.endpoint === 'completion') {
    const answer = await openai.completions.create(
      {
        ...sampling(input),
        prompt: input.prompt ?? '',
        ...(input.stop ? { stop: input.stop } : {}),
      },
      { signal },
    );
    const choice = answer.choices[0];
    return {
      text: parseCompletion(choice?.text ?? ''),
      usage: usageOf(answer.usage),
      finishReason: choice?.finish_reason ?? 'stop',
    };
  }
  const answer = await openai.chat.completions.create(
    {
      ...sampling(input),
      ...chatOptions(input),
      messages: chatMessages(input),
    } as OpenAI.ChatCompletionCreateParamsNonStreaming,
    { signal },
  );
  const [first, ...others] = [...answer.choices]
    .sort((a, b) => a.index - b.index)
    .map((choice): ModelChoice => {
      const toolCalls = (choice.message.tool_calls ?? []).flatMap((call) =>
        call.type === 'function'
          ? [{ id: call.id, type: 'function' as const, function: { ...call.function } }]
          : [],
      );
      const logprobs = choice.logprobs?.content;
      return {
        text: choice.message.content ?? '',
        finishReason: choice.finish_reason ?? 'stop',
        ...(toolCalls.length > 0 ? { toolCalls } : {}),
        ...(input.logprobs && logprobs ? { logprobs: logprobs.map(tokenLogprob) } : {}),
      };
    });
  return {
    ...(first ?? { text: '', finishReason: 'stop' }),
    usage: usageOf(answer.usage),
    ...(others.length > 0 ? { choices: others } : {}),
  };
}

/** A token's log probability as the contracts carry it (only OpenAI's documented fields). */
function tokenLogprob(entry: OpenAI.ChatCompletionTokenLogprob): TokenLogprob {
  return {
    token: entry.token,
    logprob: entry.logprob,
    bytes: entry.bytes ?? null,
    top_logprobs: (entry.top_logprobs ?? []).map((top) => ({
      token: top.token,
      logprob: top.logprob,
      bytes: top.bytes ?? null,
    })),
  };
}

/** A choice's stream to the requester: its sentence guard and its tokens waiting for text. */
interface ChoiceStream {
  guard: StreamingGuard;
  tokens?: ReleasedTokens;
  guarded: boolean;
}

/** A streamed choice as it is put together, chunk by chunk. */
interface ChoiceParts {
  text: string;
  finishReason: string;
  calls: ToolCall[];
  logprobs: TokenLogprob[];
}

const finished = (parts: ChoiceParts, logprobs: boolean): ModelChoice => {
  const toolCalls = parts.calls.filter((call) => call !== undefined);
  return {
    text: parts.text,
    finishReason: parts.finishReason,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(logprobs ? { logprobs: parts.logprobs } : {}),
  };
};

async function streamed(
  openai: OpenAI,
  publisher: TurnStreamPublisher,
  input: ModelCall,
  options: NonNullable<ModelCall['stream']>,
  context: Context,
  semantic?: (text: string) => Promise<boolean>,
): Promise<Outcome> {
  const { attempt } = context.info;
  // A retried attempt starts the reply over: the requester discards what the last one sent.
  if (attempt > 1) await publisher.publish(options.channel, { type: 'reset', attempt });
  let usage: Usage = { promptTokens: 0, completionTokens: 0 };
  // Each choice's parts by its index (a legacy completion has the one).
  const parts: ChoiceParts[] = [];
  // Each choice streams on its own: its own sentence guard, and its tokens released with its
  // text (chat models only). Events of the choices after the first carry their `index`.
  const streams: ChoiceStream[] = [];
  const streamOf = (index: number): ChoiceStream =>
    (streams[index] ??= {
      guard: new StreamingGuard(options.initialPrompt, guardOptions(options)),
      ...(input.logprobs ? { tokens: new ReleasedTokens() } : {}),
      guarded: false,
    });
  const release = async (
    index: number,
    step: { release: string; leaked: boolean },
    last = false,
  ) => {
    const choice = streamOf(index);
    if (choice.guarded) return;
    if (step.release && semantic && (await semantic(step.release))) {
      step = { release: '', leaked: true };
    }
    const covered = choice.tokens && !step.leaked ? choice.tokens.release(step.release, last) : [];
    const which = index > 0 ? { index } : {};
    if (step.release || covered.length > 0)
      await publisher.publish(options.channel, {
        type: 'delta',
        text: step.release,
        ...which,
        ...(choice.tokens ? { logprobs: covered } : {}),
      });
    if (step.leaked) {
      choice.guarded = true;
      await publisher.publish(options.channel, { type: 'guarded', ...which });
    }
  };
  const signal = context.cancellationSignal;
  if (input.model.endpoint === 'completion') {
    const chunks = await openai.completions.create(
      {
        ...sampling(input),
        prompt: input.prompt ?? '',
        ...(input.stop ? { stop: input.stop } : {}),
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal },
    );
    const into = (parts[0] = { text: '', finishReason: 'stop', calls: [], logprobs: [] });
    for await (const chunk of chunks) {
      context.heartbeat();
      const delta = chunk.choices[0]?.text ?? '';
      if (chunk.choices[0]?.finish_reason) into.finishReason = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = usageOf(chunk.usage);
      into.text += delta;
      if (delta) await release(0, streamOf(0).guard.push(delta));
    }
  } else {
    const chunks = await openai.chat.completions.create(
      {
        ...sampling(input),
        ...chatOptions(input),
        messages: chatMessages(input),
        stream: true,
        stream_options: { include_usage: true },
      } as OpenAI.ChatCompletionCreateParamsStreaming,
      { signal },
    );
    for await (const chunk of chunks) {
      context.heartbeat();
      if (chunk.usage) usage = usageOf(chunk.usage);
      for (const choice of chunk.choices) {
        const into = (parts[choice.index] ??= {
          text: '',
          finishReason: 'stop',
          calls: [],
          logprobs: [],
        });
        // Tool calls are gathered whole: the requester gets them once the call is done.
        for (const part of choice.delta.tool_calls ?? []) {
          const call = (into.calls[part.index] ??= {
            id: '',
            type: 'function',
            function: { name: '', arguments: '' },
          });
          if (part.id) call.id = part.id;
          if (part.function?.name) call.function.name += part.function.name;
          if (part.function?.arguments) call.function.arguments += part.function.arguments;
        }
        if (choice.finish_reason) into.finishReason = choice.finish_reason;
        const stream = streamOf(choice.index);
        if (input.logprobs) {
          const entries = (choice.logprobs?.content ?? []).map(tokenLogprob);
          into.logprobs.push(...entries);
          stream.tokens?.add(entries);
        }
        const delta = choice.delta.content ?? '';
        into.text += delta;
        if (delta) await release(choice.index, stream.guard.push(delta));
      }
    }
  }
  for (const index of [0, ...parts.keys()].filter((i, at, all) => all.indexOf(i) === at)) {
    await release(index, streamOf(index).guard.finish(), true);
  }
  const asked = input.logprobs === true;
  const main = parts[0] ? finished(parts[0], asked) : { text: '', finishReason: 'stop' };
  const others = parts.flatMap((choice, index) =>
    index > 0 && choice !== undefined
      ? [{ ...finished(choice, asked), streamGuardHit: streams[index]?.guarded === true }]
      : [],
  );
  return {
    ...main,
    text: input.model.endpoint === 'completion' ? parseCompletion(main.text) : main.text,
    usage,
    streamGuardHit: streams[0]?.guarded === true,
    ...(others.length > 0 ? { choices: others } : {}),
  };
}
