/**
 * The baseline: what a turn needs at the least, in this process. The same model request (the
 * same prompt format, settings and growing thread) through the official openai SDK to the same
 * mock, then the same writes as persistTurn in one transaction with `pg` on the sessions
 * service's own tables: lock the session row, insert both messages (AES-256-GCM with the
 * user's data key), a turns row, update the session (encrypted thread, counters), an outbox row.
 * No HTTP service, no workflow, no key vault.
 */
import { randomUUID } from 'node:crypto';
import type { Thread } from '@lab/contracts';
import { toChatMessages } from '@lab/conversation';
import { encryptText } from '@lab/platform';
import OpenAI from 'openai';
import type { Pool } from 'pg';
import type { Path } from './load';
import { ASSISTANT, type BenchPlatform } from './platform';

interface BaselineSession {
  id: string;
  thread: Thread;
}

export function baselinePath(platform: BenchPlatform, pool: Pool): Path<BaselineSession> {
  const dataKey = Buffer.from(platform.dataKey, 'base64');
  const openai = new OpenAI({
    baseURL: platform.mock.baseURL,
    apiKey: 'bench-key',
    maxRetries: 0,
    timeout: 90_000, // the llm-worker's LLM_TIMEOUT_MS default
  });
  const m = ASSISTANT.modelConfig;
  // The pinned versions only need to be ids here: the baseline reads no assistant.
  const promptVersionId = randomUUID();
  const modelConfigVersionId = randomUUID();

  async function turn(session: BaselineSession, content: string | null): Promise<string> {
    const asked: Thread =
      content === null
        ? session.thread
        : { ...session.thread, messages: [...session.thread.messages, { role: 'user', content }] };
    const answer = await openai.chat.completions.create({
      model: m.model,
      max_tokens: m.maxTokens,
      temperature: m.temperature,
      top_p: m.topP,
      frequency_penalty: m.frequencyPenalty,
      presence_penalty: m.presencePenalty,
      messages: toChatMessages(ASSISTANT.initialPrompt, asked),
    });
    const reply = answer.choices[0]?.message.content ?? '';
    if (!reply) throw new Error('baseline: no reply');
    const usage = {
      promptTokens: answer.usage?.prompt_tokens ?? 0,
      completionTokens: answer.usage?.completion_tokens ?? 0,
    };
    const thread: Thread = {
      ...asked,
      messages: [...asked.messages, { role: 'assistant', content: reply }],
    };
    const turnId = randomUUID();
    const texts =
      content === null
        ? [['assistant', reply]]
        : [
            ['user', content],
            ['assistant', reply],
          ];
    const client = await pool.connect();
    try {
      await client.query('begin');
      const locked = await client.query<{ message_count: number; user_id: string }>(
        'select message_count, user_id from sessions where id = $1 for update',
        [session.id],
      );
      const row = locked.rows[0];
      if (!row) throw new Error('baseline: the session does not exist');
      const values: unknown[] = [session.id, turnId];
      const tuples = texts.map(([role, text], i) => {
        values.push(
          row.message_count + i,
          role,
          encryptText(text ?? '', dataKey, `message:${session.id}`),
        );
        const at = values.length;
        return `($1, $${at - 2}, $${at - 1}, $${at}, $2)`;
      });
      await client.query(
        `insert into messages (session_id, position, role, content, turn_id) values ${tuples.join(', ')}`,
        values,
      );
      await client.query(
        `insert into turns (session_id, turn_id, reply, guard_hit, prompt_tokens, completion_tokens,
           model, condensed, latency_ms) values ($1, $2, $3, false, $4, $5, $6, 'keep', 0)`,
        [
          session.id,
          turnId,
          encryptText(reply, dataKey, `message:${session.id}`),
          usage.promptTokens,
          usage.completionTokens,
          m.model,
        ],
      );
      await client.query(
        `update sessions set payload = $2, message_count = message_count + $3,
           turn_count = turn_count + 1, prompt_tokens = prompt_tokens + $4,
           completion_tokens = completion_tokens + $5, guard_hits = guard_hits + 0,
           modified_at = now()
         where id = $1`,
        [
          session.id,
          encryptText(JSON.stringify(thread), dataKey, `payload:${session.id}`),
          texts.length,
          usage.promptTokens,
          usage.completionTokens,
        ],
      );
      await client.query(
        `insert into outbox (aggregate_type, aggregate_id, type, payload) values ('session', $1, 'turn.completed', $2)`,
        [
          session.id,
          JSON.stringify({
            sessionId: session.id,
            turnId,
            userId: row.user_id,
            assistantId: platform.assistantId,
            promptVersionId,
            model: m.model,
            usage,
            guardHit: false,
            latencyMs: 0,
            condensed: 'keep',
            opening: content === null,
          }),
        ],
      );
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    session.thread = thread;
    return reply;
  }

  return {
    async open() {
      const session: BaselineSession = {
        id: randomUUID(),
        thread: { summary: null, messages: [] },
      };
      await pool.query(
        `insert into sessions (id, user_id, assistant_id, prompt_version_id, model_config_version_id, payload)
         values ($1, $2, $3, $4, $5, $6)`,
        [
          session.id,
          platform.userId,
          platform.assistantId,
          promptVersionId,
          modelConfigVersionId,
          encryptText(JSON.stringify(session.thread), dataKey, `payload:${session.id}`),
        ],
      );
      // The opening message, as a started session has one.
      await turn(session, null);
      return session;
    },
    async turn(session, content) {
      await turn(session, content);
      return undefined;
    },
  };
}
