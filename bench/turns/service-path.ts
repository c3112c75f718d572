/**
 * The measured system: `POST /sessions/:id/messages` on the sessions service, which claims the
 * session, starts the chatTurn workflow and waits for it (loadTurnContext on the sessions queue,
 * callModel on the llm-worker, guard and condense local activities, persistTurn).
 */
import { chatTurnWorkflowId } from '@lab/workflows/ids';
import type { Path } from './load';
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
    async turn(sessionId, content, label) {
      // A key of our own (instead of a random turn id) names the workflow: turn:<session>:<key>.
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
      return chatTurnWorkflowId(sessionId, key);
    },
  };
}
