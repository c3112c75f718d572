/**
 * Prompts at rest (decision 0017), against the real PostgreSQL: the rows hold ciphertext under a
 * data key wrapped by the PROMPT_KEYS ring; the creator's views and the snapshot read plaintext;
 * a rotation moves every data key under the new key at start-up, after which the old key can go;
 * rows from before the change are sealed by the same start-up pass.
 */
import { randomUUID } from 'node:crypto';
import { generateKeyRingString, keyRingFromString, wrappedDataKeyId } from '@lab/platform';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { register } from 'prom-client';
import { createApp } from '../src/app';
import { draft, type Harness, newUser, SESSIONS_TOKEN, startAssistants } from './harness';

const PROMPT = `You are a tutor. The private rubric is RUBRIC-${randomUUID()}.`;
const SUMMARY = `Summarise against SUMMARY-${randomUUID()}.`;
const FIRST_KEYS = generateKeyRingString('prompts1');

describe('prompts encrypted at rest (real PostgreSQL)', () => {
  let h: Harness;
  const creator = newUser();
  const others: NestExpressApplication[] = [];

  beforeAll(async () => {
    h = await startAssistants('assistants-prompts', { PROMPT_KEYS: FIRST_KEYS });
  });

  afterAll(async () => {
    for (const app of others) await app.close();
    await h.close();
  });

  const rows = async (assistantId: string) =>
    (
      await h.db.query<{
        id: string;
        wrapped_key: string | null;
        initial_prompt: string;
        summary_prompt: string;
      }>('select * from prompt_versions where assistant_id = $1', [assistantId])
    ).rows;

  /** The same service and schema started again with another PROMPT_KEYS (as after a deploy). */
  async function restartWith(promptKeys: string): Promise<string> {
    register.clear(); // one process, one metrics registry: the new app registers its own
    const app = await createApp({ ...h.config, promptKeys: keyRingFromString(promptKeys) });
    others.push(app);
    await app.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  }

  const snapshot = async (url: string, id: string) =>
    (await fetch(`${url}/internal/assistants/${id}/snapshot`, {
      headers: { 'x-internal-token': SESSIONS_TOKEN, 'x-user-id': creator },
    }).then((r) => r.json())) as { promptVersion: { initialPrompt: string } };

  it('stores only ciphertext, and opens it for the creator and the snapshot', async () => {
    const created = await h.call('POST', '/assistants', {
      user: creator,
      body: draft({ initialPrompt: PROMPT, summaryPrompt: SUMMARY }),
    });
    expect(created.status).toBe(201);
    expect(created.body.activePromptVersion).toMatchObject({
      initialPrompt: PROMPT,
      summaryPrompt: SUMMARY,
    });
    const [row] = await rows(created.body.id);
    expect(wrappedDataKeyId(row!.wrapped_key!)).toBe('prompts1');
    expect(JSON.stringify(row)).not.toContain('RUBRIC-');
    expect(JSON.stringify(row)).not.toContain('SUMMARY-');
    expect(row!.initial_prompt).toMatch(/^v1\./);

    const versions = await h.call('GET', `/assistants/${created.body.id}/prompt-versions`, {
      user: creator,
    });
    expect(versions.body[0]).toMatchObject({ initialPrompt: PROMPT });
    expect((await snapshot(h.url, created.body.id)).promptVersion.initialPrompt).toBe(PROMPT);
  });

  it('refuses a ciphertext moved to another version: each is bound to its row', async () => {
    const a = await h.call('POST', '/assistants', { user: creator, body: draft() });
    const b = await h.call('POST', '/assistants', {
      user: creator,
      body: draft({ initialPrompt: PROMPT }),
    });
    const [source] = await rows(b.body.id);
    await h.db.query(
      'update prompt_versions set initial_prompt = $1, wrapped_key = $2 where assistant_id = $3',
      [source!.initial_prompt, source!.wrapped_key, a.body.id],
    );
    const read = await h.call('GET', `/assistants/${a.body.id}`, { user: creator });
    expect(read.status).toBe(500);
    expect(read.text).not.toContain('RUBRIC-');
  });

  it('moves every data key under the new key at start-up; then the old key is not needed', async () => {
    const created = await h.call('POST', '/assistants', {
      user: creator,
      body: draft({ initialPrompt: PROMPT }),
    });
    // A row from before the change: plaintext, no wrapped key.
    const legacy = await h.call('POST', '/assistants', { user: creator, body: draft() });
    await h.db.query(
      `update prompt_versions set wrapped_key = null, initial_prompt = $1, summary_prompt = $2
        where assistant_id = $3`,
      [PROMPT, SUMMARY, legacy.body.id],
    );

    const rotated = `${generateKeyRingString('prompts2')},${FIRST_KEYS}`;
    await restartWith(rotated);
    for (const id of [created.body.id, legacy.body.id]) {
      const [row] = await rows(id);
      expect(wrappedDataKeyId(row!.wrapped_key!)).toBe('prompts2');
      expect(JSON.stringify(row)).not.toContain('RUBRIC-');
    }
    const { rows: stale } = await h.db.query(
      `select count(*)::int as n from prompt_versions where wrapped_key is null
          or split_part(wrapped_key, '.', 2) <> 'prompts2'`,
    );
    expect(stale[0]).toEqual({ n: 0 });

    // The old key has left the ring: everything still opens.
    const url = await restartWith(rotated.split(',')[0]!);
    for (const id of [created.body.id, legacy.body.id])
      expect((await snapshot(url, id)).promptVersion.initialPrompt).toBe(PROMPT);
  });
});
