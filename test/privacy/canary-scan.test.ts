/**
 * Privacy by construction, proven: every route that takes text is driven with unique canaries
 * by a bring-your-own-key user and by a platform-key (OIDC) user; then every store the platform
 * writes is read whole and searched for each canary (plain, hex, base64 at each alignment,
 * UTF-16) and for the keys (the BYOK user's OpenAI key, both users' data keys, the platform's
 * provider key): PostgreSQL (`pg_dump` and column statistics), the Temporal histories (raw,
 * decoded with the payload codec's keys, and every sealed value tried with every key a server
 * holds), every Kafka record of the suite's topic, every S3 object (gunzipped), every Redis key
 * and a `MONITOR` capture of the whole run, every service log, every `/metrics`, and the bytes
 * that cross the gateway's internal hops (keys only: message text must reach the sessions
 * service, which seals it; and a key reference only on the routes that need one). The mock LLM,
 * the provider, is the one place allowed to see them. Any hit fails the suite with its store,
 * place and form. Before the scan the BYOK user rotates their key: the retired data key is tried
 * on every value of every store at rest and must open nothing (the key in use opens the user's
 * text, as a control). `scripts/privacy-findings` checks that each finding of the audit, put
 * back, fails this suite.
 */
import { createHash } from 'node:crypto';
import {
  deriveWrappingKey,
  keyRingFromString,
  unwrapDataKey,
  wrappedDataKeyId,
} from '@lab/platform';
import { requireVariable } from '@lab/platform/testing';
import { Pool } from 'pg';
import {
  type E2ePlatform,
  idempotencyKey,
  openAiKey,
  startE2ePlatform,
} from '../../services/gateway/test/support/e2e-platform';
import { assistantDraft } from '../../services/gateway/test/support/fixtures';
import { type Canary, CanaryScan, keyCanary, textCanary } from './support/canaries';
import { KeyTrial } from './support/key-trial';
import { RecordingProxy } from './support/recording-proxy';
import {
  monitorRedis,
  scanKafka,
  scanPostgres,
  scanRedisKeys,
  scanS3,
  scanTemporal,
} from './support/stores';

const PLATFORM_PROVIDER_KEY = 'sk-platform-configured-key';

/** The canaries one user plants, one per place text enters the platform. */
function canariesFor(who: string) {
  const c = (what: string, tag: string) => textCanary(`${who} ${what}`, tag);
  return {
    labPrompt: c('lab draft prompt', 'LP'),
    labMessage: c('lab message', 'LM'),
    labReply: c('lab reply', 'LR'),
    initialPrompt: c('initial prompt', 'IP'),
    summaryPrompt: c('summary prompt', 'SP'),
    versionPrompt: c('new prompt version', 'VP'),
    message: c('message', 'MS'),
    reply: c('reply', 'RP'),
    streamedMessage: c('streamed message', 'SM'),
    streamedReply: c('streamed reply', 'SR'),
    fileName: c('upload file name', 'FN'),
    fileText: c('upload content', 'FC'),
    askFile: c('message asking for a file', 'AF'),
    returnedName: c('returned file name', 'RN'),
    returnedText: c('returned file content', 'RC'),
    recap: c('recap', 'RE'),
    completionMessage: c('chat completion message', 'CM'),
    completionReply: c('chat completion reply', 'CR'),
    streamedCompletion: c('streamed chat completion message', 'CS'),
    streamedCompletionReply: c('streamed chat completion reply', 'CT'),
    choicesMessage: c('chat completion message asking for two choices', 'CN'),
    firstChoiceReply: c('first of two choices', 'C1'),
    secondChoiceReply: c('second of two choices', 'C2'),
    responseMessage: c('responses API message', 'RM'),
    responseReply: c('responses API reply', 'RR'),
    streamedResponse: c('streamed responses API message', 'RS'),
    streamedResponseReply: c('streamed responses API reply', 'RT'),
    storedInstructions: c('stored response instructions', 'SI'),
    storedResponse: c('stored response message', 'SQ'),
    storedReply: c('stored response reply', 'SA'),
    chainedResponse: c('streamed chained response message', 'SC'),
    chainedReply: c('streamed chained response reply', 'SD'),
  };
}
type UserCanaries = ReturnType<typeof canariesFor>;

describe('privacy: canaries through every route, searched for in every store', () => {
  let p: E2ePlatform;
  const proxies: RecordingProxy[] = [];
  let redisCapture: Awaited<ReturnType<typeof monitorRedis>>;
  const byokKey = openAiKey();
  const byok = canariesFor('byok');
  const platform = canariesFor('platform');

  beforeAll(async () => {
    redisCapture = await monitorRedis(requireVariable('REDIS_URL'));
    p = await startE2ePlatform('privacy_scan', {
      events: true,
      internalHop: async (_service, url) => {
        const proxy = new RecordingProxy(new URL(url));
        proxies.push(proxy);
        return proxy.open();
      },
    });
  }, 120_000);

  afterAll(async () => {
    await p?.close();
    for (const proxy of proxies) await proxy.close();
    redisCapture?.stop();
  });

  /** Drives every route that takes text, as one user, with that user's canaries. */
  async function driveEveryRoute(credential: string, c: UserCanaries) {
    const ok = async (
      answer: Promise<{ status: number; body: any; text: string }>,
      status = 200,
    ) => {
      const { status: got, body, text } = await answer;
      if (got !== status) throw new Error(`expected ${status}, got ${got}: ${text}`);
      return body;
    };
    const script = (match: { text: string }, reply: string) =>
      p.mock.addScript({ match: match.text, reply });
    expect((await p.call('POST', '/v1/sign-in', credential)).status).toBe(200);

    // The lab: a draft's prompts and a message, nothing stored.
    const draft = assistantDraft('Canary Coach', {
      initialPrompt: `You are a coach. ${c.initialPrompt.text} Ask one question at a time.`,
      summaryPrompt: `Summarise the session. ${c.summaryPrompt.text}`,
    });
    const { sessionType, modelConfig } = draft;
    const labDraft = {
      sessionType,
      modelConfig,
      initialPrompt: `You are a lab coach. ${c.labPrompt.text}`,
      summaryPrompt: 'Summarise briefly.',
    };
    const opening = await ok(p.call('POST', '/v1/lab/turns', credential, { draft: labDraft }));
    script(c.labMessage, `Lab answer ${c.labReply.text}.`);
    const lab = await ok(
      p.call('POST', '/v1/lab/turns', credential, {
        draft: labDraft,
        thread: opening.thread,
        message: `Lab question ${c.labMessage.text}`,
      }),
    );
    expect(lab.reply).toContain(c.labReply.text);

    // An assistant, and a second prompt version.
    const assistant = await ok(p.call('POST', '/v1/assistants', credential, draft), 201);
    await ok(
      p.call('POST', `/v1/assistants/${assistant.id}/prompt-versions`, credential, {
        initialPrompt: `You are a coach, second take. ${c.versionPrompt.text}`,
        summaryPrompt: `Summarise the session. ${c.summaryPrompt.text}`,
      }),
      201,
    );

    // A session: a turn answered whole, one streamed, an upload, a returned file, the recap.
    const started = await ok(
      p.call('POST', '/v1/sessions', credential, { assistantId: assistant.id }),
      201,
    );
    const sessionId = started.session.id as string;
    script(c.message, `Whole answer ${c.reply.text}.`);
    const turn = await ok(
      p.call(
        'POST',
        `/v1/sessions/${sessionId}/messages`,
        credential,
        { content: `A question ${c.message.text}` },
        { 'idempotency-key': idempotencyKey() },
      ),
      201,
    );
    expect(turn.reply).toContain(c.reply.text);
    script(c.streamedMessage, `Streamed answer. It says ${c.streamedReply.text}. Then it stops.`);
    const streamed = await p.stream(`/v1/sessions/${sessionId}/messages`, credential, {
      content: `A streamed question ${c.streamedMessage.text}`,
    });
    const deltas = streamed.events.filter((e) => e.event === 'delta').map((e) => e.data.text);
    expect(deltas.join('')).toContain(c.streamedReply.text);

    const upload = await ok(
      p.call('POST', `/v1/sessions/${sessionId}/attachments`, credential, c.fileText.text, {
        'content-type': 'text/plain',
        'x-filename': `${c.fileName.text}.txt`,
      }),
      201,
    );
    expect(upload.name).toBe(`${c.fileName.text}.txt`);
    script(
      c.askFile,
      `Here is your plan.\n\`\`\`file name="${c.returnedName.text}.md"\n${c.returnedText.text}\n\`\`\``,
    );
    await ok(
      p.call('POST', `/v1/sessions/${sessionId}/messages`, credential, {
        content: `Write me a file ${c.askFile.text}`,
      }),
      201,
    );
    const files = await ok(p.call('GET', `/v1/sessions/${sessionId}/attachments`, credential));
    expect(files.items.map((f: { name: string }) => f.name)).toEqual(
      expect.arrayContaining([`${c.fileName.text}.txt`, `${c.returnedName.text}.md`]),
    );

    // The recap call's last user message is the thread's last: the file request.
    script(c.askFile, `The recap: ${c.recap.text}.`);
    const ended = await ok(p.call('POST', `/v1/sessions/${sessionId}/end`, credential));
    expect(ended.recap).toContain(c.recap.text);
    let archive = await p.call('GET', `/v1/sessions/${sessionId}/archive`, credential);
    for (let i = 0; archive.status === 409 && i < 120; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      archive = await p.call('GET', `/v1/sessions/${sessionId}/archive`, credential);
    }
    expect(archive.status).toBe(200);

    // The OpenAI-compatible API, whole and streamed.
    const model = `assistant/${assistant.code}`;
    script(c.completionMessage, `Completion ${c.completionReply.text}.`);
    const completion = await ok(
      p.call('POST', '/v1/chat/completions', credential, {
        model,
        messages: [{ role: 'user', content: `Complete ${c.completionMessage.text}` }],
      }),
    );
    expect(completion.choices[0].message.content).toContain(c.completionReply.text);
    script(c.streamedCompletion, `Streamed completion. ${c.streamedCompletionReply.text}. Done.`);
    const chunks = await p.stream('/v1/chat/completions', credential, {
      model,
      stream: true,
      logprobs: true,
      messages: [{ role: 'user', content: `Stream ${c.streamedCompletion.text}` }],
    });
    expect(JSON.stringify(chunks.events)).toContain(c.streamedCompletionReply.text);
    // Several choices with their log probabilities: the others and the tokens travel sealed too.
    p.mock.addScript({
      match: c.choicesMessage.text,
      choiceReplies: [`One: ${c.firstChoiceReply.text}.`, `Two: ${c.secondChoiceReply.text}.`],
    });
    const two = await ok(
      p.call('POST', '/v1/chat/completions', credential, {
        model,
        n: 2,
        logprobs: true,
        top_logprobs: 1,
        messages: [{ role: 'user', content: `Two ways ${c.choicesMessage.text}` }],
      }),
    );
    expect(two.choices[1].message.content).toContain(c.secondChoiceReply.text);
    expect(two.choices[1].logprobs.content.length).toBeGreaterThan(0);

    // The Responses API, whole and streamed.
    script(c.responseMessage, `Response ${c.responseReply.text}.`);
    const answered = await ok(
      p.call('POST', '/v1/responses', credential, {
        model,
        store: false,
        instructions: 'Be brief.',
        input: [{ role: 'user', content: `Respond ${c.responseMessage.text}` }],
      }),
    );
    expect(JSON.stringify(answered.output)).toContain(c.responseReply.text);
    script(c.streamedResponse, `Streamed response. ${c.streamedResponseReply.text}. Done.`);
    const events = await p.stream('/v1/responses', credential, {
      model,
      store: false,
      stream: true,
      input: `Stream ${c.streamedResponse.text}`,
    });
    expect(JSON.stringify(events.events)).toContain(c.streamedResponseReply.text);

    // Stored responses (decision 0022): a chain of two, the second streamed, read back.
    script(c.storedResponse, `Stored response ${c.storedReply.text}.`);
    const stored = await ok(
      p.call('POST', '/v1/responses', credential, {
        model,
        store: true,
        instructions: `Be brief. ${c.storedInstructions.text}`,
        input: `Remember ${c.storedResponse.text}`,
      }),
    );
    expect(JSON.stringify(stored.output)).toContain(c.storedReply.text);
    script(c.chainedResponse, `Chained response. ${c.chainedReply.text}. Done.`);
    const chained = await p.stream('/v1/responses', credential, {
      model,
      store: true,
      stream: true,
      previous_response_id: stored.id,
      input: `Continue ${c.chainedResponse.text}`,
    });
    expect(JSON.stringify(chained.events)).toContain(c.chainedReply.text);
    const read = await ok(p.call('GET', `/v1/responses/${stored.id}`, credential));
    expect(JSON.stringify(read)).toContain(c.storedInstructions.text);
    const items = await ok(p.call('GET', `/v1/responses/${stored.id}/input_items`, credential));
    expect(JSON.stringify(items)).toContain(c.storedResponse.text);
  }

  /** The users' data keys, as the platform would have to recover them (BYOK: with their key). */
  async function dataKeys(byokOpenAiKey = byokKey): Promise<{ byok: Buffer; platform: Buffer }> {
    const db = new Pool({ connectionString: requireVariable('DATABASE_URL'), max: 1 });
    try {
      const { rows } = await db.query<{ key_mode: string; wrapped: string; salt: string }>(
        `select key_mode, wrapped_data_key as wrapped, key_salt as salt
           from "${p.schemas.gateway}".users`,
      );
      const ring = keyRingFromString(p.serverKeys.masterKeys);
      const byokRow = rows.find((r) => r.key_mode === 'byok');
      const platformRow = rows.find((r) => r.key_mode === 'platform');
      if (!byokRow || !platformRow) throw new Error('both users must exist');
      return {
        byok: unwrapDataKey(byokRow.wrapped, deriveWrappingKey(byokOpenAiKey, byokRow.salt)),
        platform: unwrapDataKey(
          platformRow.wrapped,
          ring.key(wrappedDataKeyId(platformRow.wrapped) ?? '') as Buffer,
        ),
      };
    } finally {
      await db.end();
    }
  }

  it('finds no canary and no key in any store, after every route ran for both kinds of user', async () => {
    const oidcToken = await p.oidc.sign({ sub: 'privacy-scan-user' });
    await driveEveryRoute(byokKey, byok);
    await driveEveryRoute(oidcToken, platform);

    // The BYOK user rotates their key: the history moves to a new data key, and the retired
    // one must open nothing the platform still holds, in any store.
    const retired = (await dataKeys()).byok;
    const rotatedKey = openAiKey();
    const rotation = await p.call('POST', '/v1/me/openai-key', byokKey, { newKey: rotatedKey });
    expect(rotation.status).toBe(202);
    let progress = await p.call('GET', '/v1/me/openai-key/rotation', rotatedKey);
    for (let i = 0; progress.body?.state !== 'done' && i < 240; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      progress = await p.call('GET', '/v1/me/openai-key/rotation', rotatedKey);
    }
    expect(progress.body).toMatchObject({ state: 'done' });
    expect(progress.body.done).toBeGreaterThan(0);
    const keys = await dataKeys(rotatedKey);
    const commands = redisCapture.stop();

    const texts = [...Object.values(byok), ...Object.values(platform)];
    const sha256 = (text: string) => createHash('sha256').update(text).digest();
    const secrets: Canary[] = [
      keyCanary('byok OpenAI key', byokKey),
      keyCanary('byok OpenAI key (rotated to)', rotatedKey),
      keyCanary('platform provider key', PLATFORM_PROVIDER_KEY),
      keyCanary('byok data key', keys.byok),
      keyCanary('byok data key (base64)', keys.byok.toString('base64')),
      keyCanary('byok retired data key', retired),
      keyCanary('byok retired data key (base64)', retired.toString('base64')),
      keyCanary('platform data key', keys.platform),
      keyCanary('platform data key (base64)', keys.platform.toString('base64')),
    ];
    // The plaintext's checksum confirms a guessed file: only a keyed hash may be stored (the
    // owner is shown it, so it crosses the internal hop like the text itself).
    const checksums: Canary[] = [
      keyCanary('byok upload SHA-256', sha256(byok.fileText.text)),
      keyCanary('platform upload SHA-256', sha256(platform.fileText.text)),
    ];
    const retiredTrial = new KeyTrial('the retired data key', [retired]);
    const control = new KeyTrial('the data key in use', [keys.byok]);
    const scan = new CanaryScan([...texts, ...secrets, ...checksums], [retiredTrial, control]);
    const keysOnly = new CanaryScan(secrets);

    await scanPostgres(scan, requireVariable('DATABASE_URL'), Object.values(p.schemas));
    const temporal = await scanTemporal(
      scan,
      requireVariable('TEMPORAL_ADDRESS'),
      process.env.TEMPORAL_NAMESPACE ?? 'default',
      [p.taskQueues.sessions, p.taskQueues.turns],
      p.serverKeys,
      keys.platform,
    );
    const records = await scanKafka(scan, requireVariable('KAFKA_BROKERS'), p.eventsTopic);
    const objects = await scanS3(
      scan,
      {
        endpoint: requireVariable('S3_ENDPOINT'),
        region: process.env.S3_REGION ?? 'us-east-1',
        bucket: requireVariable('S3_BUCKET'),
        accessKeyId: requireVariable('S3_ACCESS_KEY_ID'),
        secretAccessKey: requireVariable('S3_SECRET_ACCESS_KEY'),
      },
      p.namespace.bucketPrefix,
    );
    await scanRedisKeys(scan, requireVariable('REDIS_URL'));
    commands.forEach((command, index) => scan.scan('redis (MONITOR)', `command ${index}`, command));
    p.logs()
      .split('\n')
      .forEach((line, index) => scan.scan('service logs', `line ${index + 1}`, line));
    for (const url of [
      `${p.url}/metrics`,
      `${p.sessionsUrl}/metrics`,
      `${p.assistantsUrl}/metrics`,
      p.workerMetricsUrl,
    ]) {
      scan.scan('/metrics', url, await (await fetch(url)).text());
    }
    for (const proxy of proxies)
      keysOnly.scan('internal hops (gateway to services)', 'loopback', proxy.recorded());

    // The scan read something everywhere: a store it could not see would prove nothing.
    expect(temporal.workflows).toBeGreaterThan(4);
    expect(temporal.sealed).toBeGreaterThan(10);
    // The trial of keys works: a platform-key user's own key opens their text in the history
    // (by design the platform can read theirs; a BYOK user's opens with no key it holds).
    expect(temporal.control).toContain(platform.message.text);
    expect(records).toBeGreaterThan(4);
    expect(objects).toBeGreaterThan(2);
    expect(commands.length).toBeGreaterThan(10);
    for (const store of [
      'postgres (pg_dump)',
      'postgres (pg_stats)',
      'temporal history (raw)',
      'kafka',
      's3',
      's3 (gunzipped)',
      'redis (keys)',
      'redis (MONITOR)',
      'service logs',
      '/metrics',
    ])
      expect(scan.scanned.get(store)?.bytes ?? 0).toBeGreaterThan(0);
    expect(keysOnly.scanned.get('internal hops (gateway to services)')?.bytes ?? 0).toBeGreaterThan(
      10_000,
    );

    // Key material goes only where it is needed: a reference to the routes that read or write
    // the user's text, none to the others (listings, archive links, the assistants service).
    const hops = proxies.flatMap((proxy) => proxy.requests());
    const withRef = (route: RegExp) =>
      hops
        .filter((r) => route.test(`${r.method} ${r.path}`))
        .map((r) => r.headers.includes('x-key-ref'));
    const sends = withRef(/^POST \/sessions\/[^/]+\/messages/);
    expect(sends.length).toBeGreaterThanOrEqual(6);
    expect(sends).not.toContain(false);
    const listings = withRef(/^GET \/sessions\/[^/]+\/attachments$/);
    expect(listings.length).toBeGreaterThanOrEqual(2);
    expect(listings).not.toContain(false);
    expect(withRef(/^GET \/sessions\/[^/]+\/archive$/).length).toBeGreaterThan(1);
    expect(withRef(/^GET \/sessions\/[^/]+\/archive$/)).not.toContain(true);
    const stored = withRef(/^(POST \/responses(\?|$)|GET \/responses\/)/);
    expect(stored.length).toBeGreaterThanOrEqual(8);
    expect(stored).not.toContain(false);
    expect(withRef(/ \/assistants/).length).toBeGreaterThan(4);
    expect(withRef(/ \/assistants/)).not.toContain(true);

    // The trial works: the key in use opens the BYOK user's moved text in PostgreSQL and their
    // attachment and archive in S3.
    const controlOpened = (store: string, canary: { text: string }) =>
      control.opened.some((o) => o.store === store && o.sample.includes(canary.text));
    expect(controlOpened('postgres (pg_dump)', byok.message)).toBe(true);
    expect(controlOpened('s3', byok.fileText)).toBe(true);
    expect(control.opened.some((o) => o.store === 's3 (gunzipped)')).toBe(true);

    const hits = [...scan.hits, ...keysOnly.hits];
    if (hits.length > 0 || retiredTrial.opened.length > 0) {
      throw new Error(
        `${hits.length} canary hits, ${retiredTrial.opened.length} values the retired key opens:\n` +
          `${scan.report()}\n${keysOnly.report()}\n${retiredTrial.report()}`,
      );
    }
    expect(keys.byok.equals(retired)).toBe(false);
  }, 360_000);
});
