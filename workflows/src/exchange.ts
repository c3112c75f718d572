/**
 * A stateless exchange (id `lab:<user>:<key>` or `completion:<user>:<key>`): a lab turn with a
 * draft assistant, or an OpenAI-compatible completion with a stored one. Started eagerly by the
 * sessions service (its worker takes the first task from the start call itself): one `exchange`
 * on the llm-worker, the summary when the plan says so, and the usage recorded (ids, model,
 * tokens; never text) as a local activity. Nothing else is stored; the caller keeps the thread.
 */
import type { ExchangeOutcome, ExchangeWorkflowInput } from '@lab/contracts';
import { workflowInfo } from '@temporalio/workflow';
import { llm, store } from './activities';
import { turnFailure } from './failures';
import { addUsage } from './session';

export async function exchangeWorkflow(input: ExchangeWorkflowInput): Promise<ExchangeOutcome> {
  const models = llm(input.chatTurnsTaskQueue);
  const key = { scope: input.scope, keyRef: input.keyRef };
  const credential = input.credentialRef ? { credentialRef: input.credentialRef } : {};
  try {
    const exchanged = await models.exchange({
      ...key,
      ...credential,
      turnId: input.turnId,
      assistant: input.assistant,
      thread: input.thread,
      userMessage: input.userMessage,
      ...(input.options ? { options: input.options } : {}),
      ...(input.streamChannel ? { streamChannel: input.streamChannel } : {}),
    });
    let thread = exchanged.thread;
    let usage = exchanged.usage;
    if (exchanged.condensed === 'summarise') {
      const summary = await models.summarise({
        ...key,
        ...credential,
        turnId: input.turnId,
        assistant: input.assistant,
        thread: exchanged.thread,
      });
      thread = summary.thread;
      usage = addUsage(usage, summary.usage);
    }
    // Nothing is stored, but the call cost: its usage is recorded once, keyed by this
    // workflow's id (a retried activity or a repeated request adds nothing).
    await store.recordUsage({
      ...input.usage,
      eventKey: workflowInfo().workflowId,
      turnId: input.turnId,
      assistantId: input.assistantId,
      model: exchanged.model,
      usage,
      // A guard trip in any of the choices counts.
      guardHit: exchanged.guardHit || (exchanged.choicesGuarded ?? 0) > 0,
    });
    return {
      turnId: input.turnId,
      requestHash: input.requestHash,
      reply: exchanged.reply,
      guardHit: exchanged.guardHit,
      usage,
      model: exchanged.model,
      condensed: exchanged.condensed,
      ...(exchanged.finishReason ? { finishReason: exchanged.finishReason } : {}),
      ...(exchanged.toolCalls ? { toolCalls: exchanged.toolCalls } : {}),
      ...(exchanged.logprobs ? { logprobs: exchanged.logprobs } : {}),
      ...(exchanged.choices
        ? { choices: exchanged.choices, choicesGuarded: exchanged.choicesGuarded ?? 0 }
        : {}),
      thread,
    };
  } catch (error) {
    throw turnFailure(error, input.requestHash);
  }
}
