/**
 * The measured system: `POST /sessions/:id/messages` on the sessions service (as the gateway
 * calls it), which checks the session, seals the message, holds the key in the turn vault and
 * sends the `turn` Update to the session's workflow (the exchange activity on the llm-worker,
 * the persist as a local activity on the sessions worker), then opens the outcome.
 */
import { sessionWorkflowId } from '@lab/workflows/ids';
import type { Path, TurnRef } from './load';
import type { BenchPlatform } from './platform';

export function servicePath(platform: BenchPlatform, run: string): Path<string> {
  return {
    async open() {
      const answer = await platform.call('POST', '/sessions', {
        assistantId: platform.assistantId,
      });
      if (answer.status !== 201)
        throw new Error(`starting a session: ${answer.status} ${answer.text}`);
      return (answer.body as { session: { id: string } }).session.id;
    },
    async turn(sessionId, content, label): Promise<TurnRef> {
      // A key of our own (instead of a random turn id) names the Update in the history.
      const key = `${run}-${label}`;
      const answer = await platform.call(
        'POST',
        `/sessions/${sessionId}/messages`,
        { content },
        { 'idempotency-key': key },
      );
      if (answer.status !== 201 && answer.status !== 200)
        throw new Error(`turn: ${answer.status} ${answer.text.slice(0, 200)}`);
      const reply = (answer.body as { reply?: unknown }).reply;
      if (typeof reply !== 'string' || reply.length === 0) throw new Error('turn: no reply');
      return { workflowId: sessionWorkflowId(sessionId), updateId: key };
    },
  };
}
