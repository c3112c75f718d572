/**
 * The `callModel` activity: one call to the LLM through the official openai SDK, on the chat or
 * the legacy completion endpoint as the model requires. The SDK does not retry (Temporal does,
 * durably, per the workflow's policy). It heartbeats while it waits and for every streamed
 * chunk, and stops when Temporal cancels it. When the requester streams, text is released
 * sentence by sentence only once the guard has passed it, so no streamed text is something the
 * guard would block. A call whose input names a `credentialRef` uses the user's own provider key,
 * taken from the turn vault for this call only (never logged, never in Temporal), instead of the
 * worker's configured key.
 */
import { performance } from 'node:perf_hooks';
import {
  type CallModelInput,
  type CallModelResult,
  type LlmActivities,
  TURN_ERRORS,
  type Usage,
} from '@lab/contracts';
import { parseCompletion, StreamingGuard } from '@lab/conversation';
import { DecryptionError, type TurnVault } from '@lab/platform';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type OpenAI from 'openai';
import { errorKind, recordCall } from '../metrics/metrics';
import type { TurnStreamPublisher } from '../stream/turn-stream';
import { toLlmFailure } from './llm-failure';

const HEARTBEAT_EVERY_MS = 3_000;

export interface LlmDependencies {
  /** The client with the worker's configured key. */
  openai: OpenAI;
  stream: TurnStreamPublisher;
  /** Where a request's own provider key waits for its turn (see `credentialRef`). */
  credentials: TurnVault;
}

export function createLlmActivities({
  openai,
  stream,
  credentials,
}: LlmDependencies): LlmActivities {
  return {
    async callModel(input: CallModelInput): Promise<CallModelResult> {
      const context = Context.current();
      const client = input.credentialRef
        ? openai.withOptions({ apiKey: await userKey(credentials, input.credentialRef) })
        : openai;
      const labels = { model: input.model.model, endpoint: input.model.endpoint };
      const started = performance.now();
      const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        const outcome = input.stream
          ? await streamed(client, stream, input, input.stream, context)
          : await whole(client, input, context.cancellationSignal);
        const latencyMs = performance.now() - started;
        recordCall(labels, latencyMs / 1000, {
          ok: true,
          promptTokens: outcome.usage.promptTokens,
          completionTokens: outcome.usage.completionTokens,
          streamGuardHit: outcome.streamGuardHit === true,
        });
        return { ...outcome, latencyMs: Math.round(latencyMs) };
      } catch (error) {
        const failure = toLlmFailure(error, { userKey: input.credentialRef !== undefined });
        recordCall(labels, (performance.now() - started) / 1000, {
          ok: false,
          kind: errorKind(failure, context.cancellationSignal.aborted),
        });
        throw failure;
      } finally {
        clearInterval(heartbeat);
      }
    },
  };
}

/** The user's provider key from the turn vault; gone or unreadable fails the turn at once. */
async function userKey(vault: TurnVault, ref: string): Promise<string> {
  let key: string | undefined;
  try {
    key = await vault.take(ref);
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
    throw ApplicationFailure.create({
      type: TURN_ERRORS.keyUnavailable,
      message:
        'the provider key of this turn cannot be read (is TURN_VAULT_KEY the same everywhere?)',
      nonRetryable: true,
    });
  }
  if (key === undefined) {
    throw ApplicationFailure.create({
      type: TURN_ERRORS.keyUnavailable,
      message: 'the provider key of this turn is no longer available; repeat the request',
      nonRetryable: true,
    });
  }
  return key;
}

type Outcome = Omit<CallModelResult, 'latencyMs'>;

function sampling(input: CallModelInput) {
  return {
    model: input.model.model,
    max_tokens: input.model.maxTokens,
    temperature: input.model.temperature,
    top_p: input.model.topP,
    frequency_penalty: input.model.frequencyPenalty,
    presence_penalty: input.model.presencePenalty,
  };
}

const usageOf = (usage?: { prompt_tokens?: number; completion_tokens?: number } | null): Usage => ({
  promptTokens: usage?.prompt_tokens ?? 0,
  completionTokens: usage?.completion_tokens ?? 0,
});

async function whole(openai: OpenAI, input: CallModelInput, signal: AbortSignal): Promise<Outcome> {
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
    { ...sampling(input), messages: input.messages ?? [] },
    { signal },
  );
  const choice = answer.choices[0];
  return {
    text: choice?.message.content ?? '',
    usage: usageOf(answer.usage),
    finishReason: choice?.finish_reason ?? 'stop',
  };
}

async function streamed(
  openai: OpenAI,
  publisher: TurnStreamPublisher,
  input: CallModelInput,
  options: NonNullable<CallModelInput['stream']>,
  context: Context,
): Promise<Outcome> {
  const guard = new StreamingGuard(options.initialPrompt, options.guardThreshold);
  const { attempt } = context.info;
  // A retried attempt starts the reply over: the requester discards what the last one sent.
  if (attempt > 1) await publisher.publish(options.channel, { type: 'reset', attempt });
  let text = '';
  let usage: Usage = { promptTokens: 0, completionTokens: 0 };
  let finishReason = 'stop';
  let guarded = false;
  const release = async (step: { release: string; leaked: boolean }) => {
    if (step.release)
      await publisher.publish(options.channel, { type: 'delta', text: step.release });
    if (step.leaked && !guarded) {
      guarded = true;
      await publisher.publish(options.channel, { type: 'guarded' });
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
    for await (const chunk of chunks) {
      context.heartbeat();
      const delta = chunk.choices[0]?.text ?? '';
      if (chunk.choices[0]?.finish_reason) finishReason = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = usageOf(chunk.usage);
      text += delta;
      if (delta) await release(guard.push(delta));
    }
  } else {
    const chunks = await openai.chat.completions.create(
      {
        ...sampling(input),
        messages: input.messages ?? [],
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal },
    );
    for await (const chunk of chunks) {
      context.heartbeat();
      const delta = chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishReason = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = usageOf(chunk.usage);
      text += delta;
      if (delta) await release(guard.push(delta));
    }
  }
  await release(guard.finish());
  const reply = input.model.endpoint === 'completion' ? parseCompletion(text) : text;
  return { text: reply, usage, finishReason, streamGuardHit: guarded };
}
