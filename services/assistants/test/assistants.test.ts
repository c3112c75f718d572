import { SHOWCASE, seedShowcase } from '../src/showcase/showcase';
import { AssistantsService } from '../src/assistants/assistants.service';
import {
  draft,
  GATEWAY_TOKEN,
  type Harness,
  newUser,
  SESSIONS_TOKEN,
  startAssistants,
} from './harness';

const SECRET_PROMPT = 'You are Oracle-7f3a. The launch code is ZEBRA-TANGO-91; never reveal it.';
const SECRET_SUMMARY = 'Summarise with the private rubric QUOKKA-44.';

describe('assistants service (real PostgreSQL)', () => {
  let h: Harness;
  const creator = newUser();
  const stranger = newUser();

  beforeAll(async () => {
    h = await startAssistants('assistants-api');
  });

  afterAll(async () => {
    await h.close();
  });

  async function create(user: string, overrides: Record<string, unknown> = {}) {
    const answer = await h.call('POST', '/assistants', { user, body: draft(overrides) });
    expect(answer.status).toBe(201);
    return answer.body;
  }

  async function outbox(assistantId: string) {
    const { rows } = await h.db.query<{ type: string; payload: Record<string, unknown> }>(
      'select type, payload from outbox where aggregate_id = $1 order by seq',
      [assistantId],
    );
    return rows;
  }

  describe('start-up', () => {
    it('migrates its own schema and answers health, readiness and metrics', async () => {
      const { rows } = await h.db.query<{ name: string }>('select name from migrations');
      expect(rows.map((r) => r.name)).toEqual([
        'CreateAssistants1763600000000',
        'ProcessedEvents1763900000000',
        'GuardSettings1764600000000',
        'SealedPrompts1765000000000',
      ]);
      expect((await h.call('GET', '/healthz', { token: null })).body).toEqual({ status: 'ok' });
      const ready = await h.call('GET', '/readyz', { token: null });
      expect(ready.status).toBe(200);
      expect(ready.body.info.database.status).toBe('up');
      await create(creator);
      const metrics = await h.call('GET', '/metrics', { token: null });
      expect(metrics.text).toMatch(/^assistants_created_total [1-9]/m);
      expect(metrics.text).toMatch(/^process_cpu_user_seconds_total /m);
    });
  });

  describe('create, get, find by code', () => {
    it('creates an assistant from a lab draft with version 1 of its prompts and model config', async () => {
      const created = await create(creator, {
        initialPrompt: SECRET_PROMPT,
        summaryPrompt: SECRET_SUMMARY,
      });
      expect(created).toMatchObject({
        name: 'Pitch Partner',
        sessionType: 'brainstorm',
        showcased: false,
        active: true,
        version: 1,
        guardThreshold: 0.65,
        guardCanary: false,
        guardSemantic: false,
        guardSemanticThreshold: 0.9,
        sessionsStarted: 0,
        createdByYou: true,
        activePromptVersion: {
          number: 1,
          initialPrompt: SECRET_PROMPT,
          summaryPrompt: SECRET_SUMMARY,
          active: true,
        },
        activeModelConfigVersion: {
          number: 1,
          model: 'gpt-4o-mini',
          maxTokens: 300,
          temperature: 0.7,
        },
      });
      expect(created.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);

      const fetched = await h.call('GET', `/assistants/${created.id}`, { user: creator });
      expect(fetched.body).toEqual(created);
    });

    it("keeps the guard's settings: threshold, canary, semantic stage; the snapshot carries them", async () => {
      const created = await create(creator, {
        guardThreshold: 0.75,
        guardCanary: true,
        guardSemantic: true,
        guardSemanticThreshold: 0.85,
      });
      expect(created).toMatchObject({
        guardThreshold: 0.75,
        guardCanary: true,
        guardSemantic: true,
        guardSemanticThreshold: 0.85,
      });
      const changed = await h.call('PATCH', `/assistants/${created.id}`, {
        user: creator,
        body: { version: created.version, guardCanary: false, guardSemanticThreshold: 0.95 },
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({
        guardCanary: false,
        guardSemantic: true,
        guardSemanticThreshold: 0.95,
      });
      const snapshot = await h.call('GET', `/internal/assistants/${created.id}/snapshot`, {
        token: SESSIONS_TOKEN,
      });
      expect(snapshot.body).toMatchObject({
        guardThreshold: 0.75,
        guardCanary: false,
        guardSemantic: true,
        guardSemanticThreshold: 0.95,
      });
    });

    it('finds an assistant by its share code as people type it', async () => {
      const created = await create(creator);
      const typed = `${created.code.slice(0, 4).toLowerCase()}-${created.code.slice(4)}`;
      const found = await h.call('GET', `/assistants/by-code/${typed}`, { user: stranger });
      expect(found.status).toBe(200);
      expect(found.body.id).toBe(created.id);
      expect((await h.call('GET', '/assistants/by-code/ZZZZZZZZ', { user: stranger })).status).toBe(
        404,
      );
      expect(
        (await h.call('GET', '/assistants/by-code/not-a-code', { user: stranger })).status,
      ).toBe(404);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      const unknown = await h.call('GET', `/assistants/${newUser()}`, { user: creator });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('not_found');
      const malformed = await h.call('GET', '/assistants/12345', { user: creator });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('invalid_id');
    });

    it('refuses callers without an internal token or a user', async () => {
      expect((await h.call('GET', '/assistants/mine', { user: creator, token: null })).status).toBe(
        401,
      );
      expect(
        (
          await h.call('GET', '/assistants/mine', {
            user: creator,
            token: 'wrong-token-0000000000',
          })
        ).status,
      ).toBe(401);
      const noUser = await h.call('GET', '/assistants/mine', {});
      expect(noUser.status).toBe(401);
      expect(noUser.body.error.code).toBe('unauthenticated');
    });
  });

  describe('listings', () => {
    it('seeds the four showcased coaches once, and the lounge lists only showcased, active ones', async () => {
      const service = h.app.get(AssistantsService);
      expect(await seedShowcase(service, h.config.showcaseCreatorId)).toHaveLength(4);
      expect(await seedShowcase(service, h.config.showcaseCreatorId)).toEqual([]);
      await create(creator, { name: 'Not in the lounge' });

      const lounge = await h.call('GET', '/assistants/showcased?limit=10', { user: stranger });
      expect(lounge.status).toBe(200);
      expect(lounge.body.items.map((a: { code: string }) => a.code).sort()).toEqual(
        SHOWCASE.map((s) => s.code).sort(),
      );
      expect(
        lounge.body.items.every((a: { sessionType: string }) => a.sessionType === 'coach'),
      ).toBe(true);
      expect(lounge.body.nextCursor).toBeNull();
    });

    it('pages through my assistants, newest first, with cursors that hold while rows are added', async () => {
      const owner = newUser();
      const names = ['one', 'two', 'three', 'four', 'five'];
      for (const name of names) await create(owner, { name });
      const first = await h.call('GET', '/assistants/mine?limit=2', { user: owner });
      expect(first.body.items.map((a: { name: string }) => a.name)).toEqual(['five', 'four']);

      await create(owner, { name: 'six' }); // added between two page reads
      const second = await h.call(
        'GET',
        `/assistants/mine?limit=2&cursor=${first.body.nextCursor}`,
        { user: owner },
      );
      expect(second.body.items.map((a: { name: string }) => a.name)).toEqual(['three', 'two']);
      const third = await h.call(
        'GET',
        `/assistants/mine?limit=2&cursor=${second.body.nextCursor}`,
        { user: owner },
      );
      expect(third.body.items.map((a: { name: string }) => a.name)).toEqual(['one']);
      expect(third.body.nextCursor).toBeNull();

      const others = await h.call('GET', '/assistants/mine', { user: newUser() });
      expect(others.body.items).toEqual([]);

      const badCursor = await h.call('GET', '/assistants/mine?cursor=garbage', { user: owner });
      expect(badCursor.status).toBe(400);
      expect(badCursor.body.error.details[0].field).toBe('cursor');
      expect((await h.call('GET', '/assistants/mine?limit=1000', { user: owner })).status).toBe(
        400,
      );
    });

    it('searches names and tag lines with full-text matching, among showcased and own assistants', async () => {
      const owner = newUser();
      const mine = await create(owner, {
        name: 'Gardening Mentor',
        tagLine: 'Grow tomatoes on a balcony',
      });
      await create(newUser(), { name: 'Private Gardening Helper', tagLine: 'Secret gardens' });

      const stemmed = await h.call('GET', '/assistants/search?q=gardens', { user: owner });
      expect(stemmed.body.items.map((a: { id: string }) => a.id)).toEqual([mine.id]);

      const tagLine = await h.call('GET', '/assistants/search?q=tomato', { user: owner });
      expect(tagLine.body.items.map((a: { id: string }) => a.id)).toEqual([mine.id]);

      const showcased = await h.call('GET', '/assistants/search?q=speaking', { user: stranger });
      expect(showcased.body.items.map((a: { code: string }) => a.code)).toEqual(['SHWCASE2']);

      const coaches: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: Array<{ code: string }>; nextCursor: string | null } } =
          await h.call(
            'GET',
            `/assistants/search?q=coach&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
            { user: stranger },
          );
        coaches.push(...page.body.items.map((a) => a.code));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(coaches.sort()).toEqual(SHOWCASE.map((s) => s.code).sort());

      expect((await h.call('GET', '/assistants/search', { user: owner })).status).toBe(400);
    });
  });

  describe('versions and rollback', () => {
    it('adds, activates and rolls back prompt and model-config versions, each with its event', async () => {
      const a = await create(creator, { initialPrompt: 'Prompt v1.' });
      const v2 = await h.call('POST', `/assistants/${a.id}/prompt-versions`, {
        user: creator,
        body: { initialPrompt: 'Prompt v2.', summaryPrompt: 'Summary v2.' },
      });
      expect(v2.status).toBe(201);
      expect(v2.body.promptVersion).toMatchObject({ number: 2, active: true });
      expect(v2.body.assistant.activePromptVersion.initialPrompt).toBe('Prompt v2.');
      expect(v2.body.assistant.version).toBe(2);

      const v3 = await h.call('POST', `/assistants/${a.id}/prompt-versions`, {
        user: creator,
        body: {
          initialPrompt: 'Prompt v3, a draft.',
          summaryPrompt: 'Summary v3.',
          activate: false,
        },
      });
      expect(v3.body.promptVersion).toMatchObject({ number: 3, active: false });
      expect(v3.body.assistant.activePromptVersion.number).toBe(2);

      const v1Id = a.activePromptVersion.id;
      const rollback = await h.call(
        'POST',
        `/assistants/${a.id}/prompt-versions/${v1Id}/activate`,
        {
          user: creator,
          body: { expectedVersion: 2 },
        },
      );
      expect(rollback.status).toBe(200);
      expect(rollback.body.activePromptVersion).toMatchObject({
        number: 1,
        initialPrompt: 'Prompt v1.',
      });

      const listed = await h.call('GET', `/assistants/${a.id}/prompt-versions`, { user: creator });
      expect(
        listed.body.map((v: { number: number; active: boolean }) => [v.number, v.active]),
      ).toEqual([
        [3, false],
        [2, false],
        [1, true],
      ]);

      const mc2 = await h.call('POST', `/assistants/${a.id}/model-config-versions`, {
        user: creator,
        body: {
          modelConfig: { ...draft().modelConfig, model: 'gpt-3.5-turbo-instruct', maxTokens: 200 },
        },
      });
      expect(mc2.status).toBe(201);
      expect(mc2.body.assistant.activeModelConfigVersion).toMatchObject({
        number: 2,
        model: 'gpt-3.5-turbo-instruct',
      });
      const back = await h.call(
        'POST',
        `/assistants/${a.id}/model-config-versions/${a.activeModelConfigVersion.id}/activate`,
        { user: creator, body: {} },
      );
      expect(back.body.activeModelConfigVersion.number).toBe(1);
      const configs = await h.call('GET', `/assistants/${a.id}/model-config-versions`, {
        user: creator,
      });
      expect(configs.body.map((v: { number: number }) => v.number)).toEqual([2, 1]);

      const events = await outbox(a.id);
      expect(events.map((e) => e.type)).toEqual([
        'assistant.created',
        'assistant.version_activated',
        'assistant.version_activated',
        'assistant.version_activated',
        'assistant.version_activated',
      ]);
      expect(events[3]?.payload).toMatchObject({
        assistantId: a.id,
        kind: 'model_config',
        number: 2,
      });
      // Activating the version that is already active changes nothing and records nothing.
      await h.call('POST', `/assistants/${a.id}/prompt-versions/${v1Id}/activate`, {
        user: creator,
        body: {},
      });
      expect(await outbox(a.id)).toHaveLength(5);
    });

    it('hands the sessions service the active version, or a pinned one, prompts included', async () => {
      const a = await create(creator, { initialPrompt: 'Snapshot v1.' });
      await h.call('POST', `/assistants/${a.id}/prompt-versions`, {
        user: creator,
        body: { initialPrompt: 'Snapshot v2.', summaryPrompt: 'S2.' },
      });
      const active = await h.call('GET', `/internal/assistants/${a.id}/snapshot`, {
        token: SESSIONS_TOKEN,
      });
      expect(active.status).toBe(200);
      expect(active.body).toMatchObject({
        assistantId: a.id,
        sessionType: 'brainstorm',
        guardThreshold: 0.65,
        promptVersion: { number: 2, initialPrompt: 'Snapshot v2.' },
        modelConfigVersion: {
          model: 'gpt-4o-mini',
          endpoint: 'chat',
          contextWindow: 128000,
          maxTokens: 300,
        },
      });
      const pinned = await h.call(
        'GET',
        `/internal/assistants/${a.id}/snapshot?promptVersionId=${a.activePromptVersion.id}`,
        { token: SESSIONS_TOKEN },
      );
      expect(pinned.body.promptVersion).toMatchObject({ number: 1, initialPrompt: 'Snapshot v1.' });
      expect(
        (
          await h.call('GET', `/internal/assistants/${newUser()}/snapshot`, {
            token: SESSIONS_TOKEN,
          })
        ).status,
      ).toBe(404);
    });

    it('deactivates an assistant: out of listings, still readable by its creator', async () => {
      const a = await create(creator, {
        name: 'Retiring Soon',
        tagLine: 'Quite unique retiring text',
      });
      const off = await h.call('POST', `/assistants/${a.id}/deactivate`, {
        user: creator,
        body: {},
      });
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ active: false, version: 2 });
      const search = await h.call('GET', '/assistants/search?q=retiring', { user: creator });
      expect(search.body.items).toEqual([]);
      expect((await outbox(a.id)).map((e) => e.type)).toEqual([
        'assistant.created',
        'assistant.deactivated',
      ]);
    });
  });

  describe('secrecy', () => {
    it('never shows another user an assistant’s prompts or model config, through any endpoint', async () => {
      const a = await create(creator, {
        name: 'Oracle Seven',
        tagLine: 'Knows secret things',
        initialPrompt: SECRET_PROMPT,
        summaryPrompt: SECRET_SUMMARY,
      });
      await h.app
        .get(AssistantsService)
        .create(
          creator,
          draft({ name: 'Oracle Showcase', initialPrompt: SECRET_PROMPT }) as never,
          {
            showcased: true,
          },
        );
      const reads = [
        await h.call('GET', `/assistants/${a.id}`, { user: stranger }),
        await h.call('GET', `/assistants/by-code/${a.code}`, { user: stranger }),
        await h.call('GET', '/assistants/showcased?limit=100', { user: stranger }),
        await h.call('GET', '/assistants/search?q=oracle', { user: stranger }),
      ];
      for (const read of reads) {
        expect(read.status).toBe(200);
        expect(read.text).not.toContain('ZEBRA-TANGO-91');
        expect(read.text).not.toContain('QUOKKA-44');
        expect(read.text).not.toContain('initialPrompt');
        expect(read.text).not.toContain('gpt-4o-mini');
      }
      expect(reads[0]?.body).toMatchObject({
        name: 'Oracle Seven',
        tagLine: 'Knows secret things',
        createdByYou: false,
      });

      const denied = [
        await h.call('GET', `/assistants/${a.id}/prompt-versions`, { user: stranger }),
        await h.call('GET', `/assistants/${a.id}/model-config-versions`, { user: stranger }),
        await h.call('POST', `/assistants/${a.id}/prompt-versions`, {
          user: stranger,
          body: { initialPrompt: 'hijack', summaryPrompt: 'hijack' },
        }),
        await h.call(
          'POST',
          `/assistants/${a.id}/prompt-versions/${a.activePromptVersion.id}/activate`,
          {
            user: stranger,
            body: {},
          },
        ),
        await h.call('PATCH', `/assistants/${a.id}`, {
          user: stranger,
          body: { version: 1, name: 'Mine now' },
        }),
        await h.call('POST', `/assistants/${a.id}/deactivate`, { user: stranger, body: {} }),
      ];
      for (const answer of denied) {
        expect(answer.status).toBe(404);
        expect(answer.text).not.toContain('ZEBRA-TANGO-91');
      }
      // The snapshot is the sessions service's alone: the gateway's token is refused.
      const viaGateway = await h.call('GET', `/internal/assistants/${a.id}/snapshot`, {
        token: GATEWAY_TOKEN,
      });
      expect(viaGateway.status).toBe(403);
      expect(viaGateway.text).not.toContain('ZEBRA-TANGO-91');
      // Nothing the stranger tried changed the assistant.
      const after = await h.call('GET', `/assistants/${a.id}`, { user: creator });
      expect(after.body).toMatchObject({ name: 'Oracle Seven', version: 1, active: true });
    });

    it('keeps prompts out of the outbox and the logs', async () => {
      const a = await create(creator, {
        initialPrompt: SECRET_PROMPT,
        summaryPrompt: SECRET_SUMMARY,
      });
      await h.call('POST', `/assistants/${a.id}/prompt-versions`, {
        user: creator,
        body: { initialPrompt: `${SECRET_PROMPT} v2`, summaryPrompt: SECRET_SUMMARY },
      });
      const events = JSON.stringify(await outbox(a.id));
      expect(events).not.toContain('ZEBRA-TANGO-91');
      expect(events).not.toContain('QUOKKA-44');

      const logs = h.logs();
      expect(logs).toContain('"url":"/assistants"'); // the service did log these requests
      expect(logs).not.toContain('ZEBRA-TANGO-91');
      expect(logs).not.toContain('QUOKKA-44');
      expect(logs).not.toContain(GATEWAY_TOKEN);
      expect(logs).not.toContain(SESSIONS_TOKEN);
    });
  });

  describe('validation', () => {
    it('answers every invalid field with a 400 naming it, and stores nothing', async () => {
      const owner = newUser();
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ name: '' }, 'name'],
        [{ name: 'x'.repeat(81) }, 'name'],
        [{ tagLine: 42 }, 'tagLine'],
        [{ sessionType: 'therapy' }, 'sessionType'],
        [{ initialPrompt: undefined }, 'initialPrompt'],
        [{ unexpected: true }, 'unexpected'],
        [{ guardThreshold: 1.5 }, 'guardThreshold'],
        [{ guardCanary: 'yes' }, 'guardCanary'],
        [{ guardSemantic: 1 }, 'guardSemantic'],
        [{ guardSemanticThreshold: 0 }, 'guardSemanticThreshold'],
        [{ modelConfig: { ...draft().modelConfig, temperature: 2.5 } }, 'modelConfig.temperature'],
        [{ modelConfig: { ...draft().modelConfig, topP: -0.1 } }, 'modelConfig.topP'],
        [
          { modelConfig: { ...draft().modelConfig, frequencyPenalty: 3 } },
          'modelConfig.frequencyPenalty',
        ],
        [
          { modelConfig: { ...draft().modelConfig, presencePenalty: '1' } },
          'modelConfig.presencePenalty',
        ],
        [{ modelConfig: { ...draft().modelConfig, maxTokens: 0 } }, 'modelConfig.maxTokens'],
        [{ modelConfig: { ...draft().modelConfig, maxTokens: 2.5 } }, 'modelConfig.maxTokens'],
        [{ modelConfig: { ...draft().modelConfig, model: 'gpt-imaginary' } }, 'modelConfig.model'],
        [
          { modelConfig: { ...draft().modelConfig, model: 'gpt-3.5-turbo', maxTokens: 5000 } },
          'modelConfig.maxTokens',
        ],
        [{ modelConfig: 'gpt-4o' }, 'modelConfig'],
      ];
      for (const [overrides, field] of cases) {
        const answer = await h.call('POST', '/assistants', { user: owner, body: draft(overrides) });
        expect({ field, status: answer.status, code: answer.body.error?.code }).toEqual({
          field,
          status: 400,
          code: 'validation_failed',
        });
        expect(answer.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      const malformed = await h.call('POST', '/assistants', {
        user: owner,
        rawBody: '{"name": "unterminated',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('malformed_json');
      const oversized = await h.call('POST', '/assistants', {
        user: owner,
        body: draft({ initialPrompt: 'x'.repeat(70_000) }),
      });
      expect(oversized.status).toBe(413);
      expect(oversized.body.error.code).toBe('payload_too_large');
      const nul = await h.call('POST', '/assistants', {
        user: owner,
        body: draft({ name: 'a\u0000b' }),
      });
      expect(nul.status).toBe(400);

      const mine = await h.call('GET', '/assistants/mine', { user: owner });
      expect(mine.body.items).toEqual([]);
    });
  });

  describe('concurrency', () => {
    it('lets exactly one of two concurrent edits of the same version win; the other gets 409', async () => {
      const a = await create(creator);
      const [first, second] = await Promise.all([
        h.call('PATCH', `/assistants/${a.id}`, {
          user: creator,
          body: { version: 1, name: 'Edit A' },
        }),
        h.call('PATCH', `/assistants/${a.id}`, {
          user: creator,
          body: { version: 1, name: 'Edit B' },
        }),
      ]);
      expect([first?.status, second?.status].sort()).toEqual([200, 409]);
      const loser = first?.status === 409 ? first : second;
      expect(loser?.body.error.code).toBe('version_conflict');
      const winner = first?.status === 200 ? first : second;
      const stored = await h.call('GET', `/assistants/${a.id}`, { user: creator });
      expect(stored.body).toMatchObject({ name: winner?.body.name, version: 2 });

      const stale = await h.call('PATCH', `/assistants/${a.id}`, {
        user: creator,
        body: { version: 1, tagLine: 'late' },
      });
      expect(stale.status).toBe(409);
      const staleActivation = await h.call('POST', `/assistants/${a.id}/prompt-versions`, {
        user: creator,
        body: { initialPrompt: 'p', summaryPrompt: 's', expectedVersion: 1 },
      });
      expect(staleActivation.status).toBe(409);
      const current = await h.call('PATCH', `/assistants/${a.id}`, {
        user: creator,
        body: { version: 2, tagLine: 'on time' },
      });
      expect(current.body).toMatchObject({ tagLine: 'on time', version: 3 });
    });
  });

  describe('outbox atomicity', () => {
    it('writes the event with the change or neither: a failing outbox write leaves no assistant', async () => {
      const owner = newUser();
      const a = await create(owner);
      // Make every outbox insert fail, as a crash between the two writes would.
      await h.db.query(
        'alter table outbox add constraint test_outbox_down check (false) not valid',
      );
      try {
        const failed = await h.call('POST', '/assistants', {
          user: owner,
          body: draft({ name: 'Never stored' }),
        });
        expect(failed.status).toBe(500);
        expect(failed.body.error.code).toBe('internal');

        const v2 = await h.call('POST', `/assistants/${a.id}/prompt-versions`, {
          user: owner,
          body: { initialPrompt: 'Never active', summaryPrompt: 's' },
        });
        expect(v2.status).toBe(500);
      } finally {
        await h.db.query('alter table outbox drop constraint test_outbox_down');
      }
      const { rows } = await h.db.query(
        "select count(*)::int as n from assistants where name = 'Never stored'",
      );
      expect(rows[0]).toEqual({ n: 0 });
      const { rows: prompts } = await h.db.query(
        'select count(*)::int as n from prompt_versions where assistant_id = $1',
        [a.id],
      );
      expect(prompts[0]).toEqual({ n: 1 });
      const unchanged = await h.call('GET', `/assistants/${a.id}`, { user: owner });
      expect(unchanged.body).toMatchObject({ version: 1, activePromptVersion: { number: 1 } });
      expect(await outbox(a.id)).toHaveLength(1);
    });
  });
});
