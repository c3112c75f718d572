/**
 * The model-facing activities of a turn, on the llm-worker's queue (`chat-turns`):
 * - `exchange`: open the sealed assistant, thread and message with the turn's key (from the turn
 *   vault), build the request for the model's endpoint, call it (streaming guarded sentences
 *   when asked), guard the reply against leaking the initial prompt, take out files it returns,
 *   plan the condensation, and seal what goes back into Temporal;
 * - `summarise`: the coach's summary call when the plan said so;
 * - `recap`: a session's recap with the summary prompt.
 * Workflow code never sees text: everything in and out is sealed under the turn's key, which
 * lives in the turn vault only while the request that brought it waits. A call uses the user's
 * own provider key when the request brought one (`credentialRef`), else the worker's. A model
 * answer is remembered for the turn as soon as it arrives (call-memo.ts), so a retried attempt
 * never calls the model twice for the same answer.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  type CompletionChoice,
  type CompletionOptions,
  type Condensed,
  type ExchangeInput,
  type ExchangeResult,
  type LlmActivities,
  type RecapInput,
  type RecapResult,
  type SealedFile,
  type SummariseInput,
  type SummariseResult,
  type Thread,
  TURN_ERRORS,
  type TurnAssistant,
} from '@lab/contracts';
import {
  extractReturnedFiles,
  GUARD_REPLACEMENT,
  guardReply,
  planCondense,
} from '@lab/conversation';
import { DecryptionError, SessionCipher, type TurnVault } from '@lab/platform';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type OpenAI from 'openai';
import {
  callModel,
  type ModelAnswer,
  type ModelCall,
  type ModelChoice,
  replayStream,
} from '../llm/call-model';
import { guardHits } from '../metrics/metrics';
import type { TurnStreamPublisher } from '../stream/turn-stream';
import { canaryFor, withCanary } from '../guard/canary';
import { toolCallsLeak } from '../guard/tool-calls';
import type { SemanticStage } from '../guard/semantic';
import type { CallMemo } from './call-memo';
import { boundedModel, modelSpec, summaryCall, turnRequest, withAttachments } from './requests';

export interface ExchangeDependencies {
  /** The client with the worker's configured key. */
  openai: OpenAI;
  stream: TurnStreamPublisher;
  /** Where the turn's key and a request's own provider key wait (see `keyRef`, `credentialRef`). */
  vault: TurnVault;
  memo: CallMemo;
  /** The guard's canary key and, when the worker has an embeddings model, the semantic stage. */
  guard?: { canaryKey: Buffer; semantic?: SemanticStage };
}

export function createExchangeActivities({
  openai,
  stream,
  vault,
  memo,
  guard,
}: ExchangeDependencies): LlmActivities {
  /** The turn's cipher and model client, from the vault. */
  async function open(input: { keyRef: string; scope: string; credentialRef?: string }) {
    const cipher = new SessionCipher(
      Buffer.from(await secret(vault, input.keyRef, 'key'), 'base64'),
      input.scope,
    );
    const client = input.credentialRef
      ? openai.withOptions({ apiKey: await secret(vault, input.credentialRef, 'provider key') })
      : openai;
    return { cipher, client, userKey: input.credentialRef !== undefined };
  }

  /** One model call of the turn, or the answer an earlier attempt of it already got. */
  async function call(
    turn: Awaited<ReturnType<typeof open>>,
    callId: string,
    request: ModelCall,
    semantic?: (text: string) => Promise<boolean>,
  ): Promise<ModelAnswer> {
    const context = Context.current();
    const { attempt } = context.info;
    if (attempt > 1) {
      const kept = await memo.recall(turn.cipher, callId);
      if (kept) {
        const streamGuardHit = request.stream
          ? await replayStream(
              stream,
              request.stream,
              attempt,
              kept.text,
              semantic,
              request.logprobs ? (kept.logprobs ?? []) : undefined,
            )
          : kept.streamGuardHit;
        return { ...kept, ...(streamGuardHit ? { streamGuardHit } : {}) };
      }
    }
    const answer = await callModel(
      {
        client: turn.client,
        userKey: turn.userKey,
        stream,
        context,
        ...(semantic ? { semantic } : {}),
      },
      request,
    );
    await memo.keep(turn.cipher, callId, answer);
    return answer;
  }

  return {
    async exchange(input: ExchangeInput): Promise<ExchangeResult> {
      const turn = await open(input);
      const { cipher } = turn;
      const assistant = cipher.openJson<TurnAssistant>('assistant', input.assistant);
      const thread = cipher.readThread<Thread>(input.thread);
      const asked: Thread =
        input.userMessage === null
          ? thread
          : {
              ...thread,
              messages: [
                ...thread.messages,
                { role: 'user', content: cipher.readMessage(input.userMessage) },
              ],
            };
      const attachments = input.attachments ? cipher.open('attachments', input.attachments) : null;
      const options = input.options
        ? cipher.openJson<CompletionOptions>('options', input.options)
        : undefined;
      // The canary goes into the prompt the model is sent, and nowhere else.
      const canary =
        assistant.guardCanary && guard
          ? canaryFor(guard.canaryKey, assistant.assistantId, assistant.initialPrompt)
          : undefined;
      const sent = canary ? withCanary(assistant, canary) : assistant;
      const semantic =
        assistant.guardSemantic && guard?.semantic
          ? async (text: string) => {
              const { leaked } = await (guard.semantic as SemanticStage).check(
                turn.client,
                assistant.initialPrompt,
                text,
                assistant.guardSemanticThreshold ?? 0.9,
              );
              return leaked;
            }
          : undefined;
      const answer = await call(
        turn,
        `${input.turnId}:reply`,
        {
          model: boundedModel(assistant.model, options),
          ...turnRequest(sent, attachments ? withAttachments(asked, attachments) : asked, options),
          ...(input.streamChannel
            ? {
                stream: {
                  channel: input.streamChannel,
                  initialPrompt: assistant.initialPrompt,
                  guardThreshold: assistant.guardThreshold,
                  ...(canary ? { canary } : {}),
                },
              }
            : {}),
        },
        semantic,
      );
      /**
       * Whether a choice leaks the prompt: its text by the guard (and the semantic stage, unless
       * the stream has applied it already), its calls for the prompt or the canary.
       */
      const leaks = async (choice: ModelChoice, streamed: boolean): Promise<boolean> => {
        const verdict = guardReply(choice.text, assistant.initialPrompt, {
          threshold: assistant.guardThreshold,
          ...(canary ? { canary } : {}),
        });
        if (verdict.leaked) guardHits.inc({ stage: 'reply' });
        const semanticHit =
          !verdict.leaked && !streamed && semantic ? await semantic(choice.text) : false;
        if (semanticHit) guardHits.inc({ stage: 'semantic' });
        const toolLeak =
          choice.toolCalls !== undefined &&
          toolCallsLeak(choice.toolCalls, assistant.initialPrompt, canary);
        if (toolLeak) guardHits.inc({ stage: 'tool_call' });
        return verdict.leaked || semanticHit || toolLeak;
      };
      const guardHit =
        (await leaks(answer, input.streamChannel !== undefined)) || answer.streamGuardHit === true;
      // Calls of the caller's functions, and the tokens' log probabilities (which spell the
      // reply out), go back only when nothing leaked.
      const toolCalls = guardHit ? undefined : answer.toolCalls;
      const logprobs = guardHit ? undefined : answer.logprobs;
      // The other choices of `n` > 1, each guarded on its own (streamed, by its own guard too).
      const choices: CompletionChoice[] = [];
      for (const choice of answer.choices ?? []) {
        const hit =
          (await leaks(choice, input.streamChannel !== undefined)) ||
          choice.streamGuardHit === true;
        choices.push({
          reply: hit ? GUARD_REPLACEMENT : choice.text,
          guardHit: hit,
          finishReason: hit && choice.finishReason === 'tool_calls' ? 'stop' : choice.finishReason,
          ...(!hit && choice.toolCalls ? { toolCalls: choice.toolCalls } : {}),
          ...(!hit && choice.logprobs ? { logprobs: choice.logprobs } : {}),
        });
      }
      // A leaking reply is never shown, stored or fed back to the model: the replacement is.
      let reply = guardHit ? GUARD_REPLACEMENT : answer.text;
      let files: SealedFile[] = [];
      if (input.returnFiles && !guardHit) {
        const returned = extractReturnedFiles(reply, randomUUID);
        reply = returned.reply;
        files = returned.files.map((file) => {
          const bytes = Buffer.from(file.content, 'utf8');
          return {
            id: file.id,
            contentType: file.contentType,
            size: bytes.length,
            meta: cipher.attachmentMeta({
              name: file.name.slice(0, 200),
              sha256: createHash('sha256').update(bytes).digest('hex'),
            }),
            mac: cipher.fileMac(bytes),
            sealed: cipher.sealFile(bytes, file.id).toString('base64'),
          };
        });
      }
      const answered: Thread = {
        ...asked,
        messages: [...asked.messages, { role: 'assistant', content: reply }],
      };
      const plan = planCondense({
        sessionType: assistant.sessionType,
        model: modelSpec(assistant.model),
        initialPrompt: assistant.initialPrompt,
        thread: answered,
      });
      const condensed: Condensed = plan.kind;
      return {
        reply: cipher.message(reply),
        guardHit,
        usage: answer.usage,
        model: assistant.model.model,
        finishReason:
          guardHit && answer.finishReason === 'tool_calls' ? 'stop' : answer.finishReason,
        ...(toolCalls ? { toolCalls: cipher.sealJson('options', toolCalls) } : {}),
        ...(logprobs ? { logprobs: cipher.sealJson('logprobs', logprobs) } : {}),
        ...(choices.length > 0
          ? {
              choices: cipher.sealJson('choices', choices),
              choicesGuarded: choices.filter((choice) => choice.guardHit).length,
            }
          : {}),
        latencyMs: answer.latencyMs,
        // `summarise` hands the grown thread on: the summary is a call of its own.
        thread: cipher.thread(plan.kind === 'truncate' ? plan.thread : answered),
        condensed,
        ...(files.length > 0 ? { files } : {}),
      };
    },

    async summarise(input: SummariseInput): Promise<SummariseResult> {
      const turn = await open(input);
      const { cipher } = turn;
      const assistant = cipher.openJson<TurnAssistant>('assistant', input.assistant);
      const thread = cipher.readThread<Thread>(input.thread);
      const plan = planCondense({
        sessionType: assistant.sessionType,
        model: modelSpec(assistant.model),
        initialPrompt: assistant.initialPrompt,
        thread,
      });
      if (plan.kind !== 'summarise') {
        return { thread: input.thread, usage: { promptTokens: 0, completionTokens: 0 } };
      }
      const answer = await call(turn, `${input.turnId}:summary`, {
        model: assistant.model,
        ...summaryCall(assistant, plan.toSummarise),
      });
      return {
        thread: cipher.thread({ summary: answer.text, messages: plan.keep }),
        usage: answer.usage,
      };
    },

    async recap(input: RecapInput): Promise<RecapResult> {
      const turn = await open(input);
      const { cipher } = turn;
      const assistant = cipher.openJson<TurnAssistant>('assistant', input.assistant);
      const thread = cipher.readThread<Thread>(input.thread);
      const answer = await call(turn, `${input.requestId}:recap`, {
        model: assistant.model,
        ...summaryCall(assistant, thread),
      });
      return {
        recap: cipher.recap(answer.text),
        usage: answer.usage,
        model: assistant.model.model,
      };
    },
  };
}

/** A secret the request left in the vault; gone or unreadable fails the turn at once. */
async function secret(vault: TurnVault, ref: string, what: string): Promise<string> {
  let value: string | undefined;
  try {
    value = await vault.take(ref);
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
    throw ApplicationFailure.create({
      type: TURN_ERRORS.keyUnavailable,
      message: `the ${what} of this turn cannot be read (is TURN_VAULT_KEY the same everywhere?)`,
      nonRetryable: true,
    });
  }
  if (value === undefined) {
    throw ApplicationFailure.create({
      type: TURN_ERRORS.keyUnavailable,
      message: `the ${what} of this turn is no longer available; repeat the request`,
      nonRetryable: true,
    });
  }
  return value;
}
