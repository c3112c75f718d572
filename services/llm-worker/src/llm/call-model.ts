/**
 * The `callModel` activity: one call to the LLM through the official openai SDK, on the chat or
 * the legacy completion endpoint as the model requires. The SDK does not retry (Temporal does,
 * durably, per the workflow's policy). It heartbeats while it waits and for every streamed
 * chunk, and stops when Temporal cancels it. When the requester streams, text is released
 * sentence by sentence only once the guard has passed it, so no streamed text is something the
 * guard would block.
 */
import { performance } from 'node:perf_hooks';
import type { CallModelInput, CallModelResult, LlmActivities, Usage } from '@lab/contracts';
import { parseCompletion, StreamingGuard } from '@lab/conversation';
import { Context } from '@temporalio/activity';
import type OpenAI from 'openai';
import type { TurnStreamPublisher } from '../stream/turn-stream';
import { toLlmFailure } from './llm-failure';

const HEARTBEAT_EVERY_MS = 3_000;

export interface LlmDependencies {
  openai: OpenAI;
  stream: TurnStreamPublisher;
}

export function createLlmActivities({ openai, stream }: LlmDependencies): LlmActivities {
  return {
    async callModel(input: CallModelInput): Promise<CallModelResult> {
      const context = Context.current();
      const started = performance.now();
      const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        const outcome = input.stream
          ? await streamed(openai, stream, input, input.stream, context)
          : await whole(openai, input, context.cancellationSignal);
        return { ...outcome, latencyMs: Math.round(performance.now() - started) };
      } catch (error) {
        throw toLlmFailure(error);
      } finally {
        clearInterval(heartbeat);
      }
    },
  };
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
