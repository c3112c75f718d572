/**
 * The guard's worker-side stages against real Redis and the mock LLM's /v1/embeddings: the canary
 * (derived, letters only, per assistant and prompt) and the semantic stage (prompt sentence
 * embeddings computed once per prompt and cached sealed in Redis).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { guardReply } from '@lab/conversation';
import { decryptText } from '@lab/platform';
import { startMockLlm, type MockLlm } from '@lab/mock-llm';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { canaryFor, guardKey, withCanary } from '../src/guard/canary';
import { SemanticStage } from '../src/guard/semantic';

const PROMPT =
  'You are Chef Lina, a home-cooking assistant for busy weeknights. ' +
  'Always ask about allergies and what ingredients are already in the fridge before suggesting a dish. ' +
  'Prefer recipes that take under thirty minutes and use one pan.';

let mock: MockLlm;
let redis: Redis;
let client: OpenAI;
const vaultKey = randomBytes(32);

beforeAll(async () => {
  mock = await startMockLlm();
  redis = new Redis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: 3 });
  client = new OpenAI({ apiKey: 'test', baseURL: mock.baseURL, maxRetries: 0 });
});
afterAll(async () => {
  redis.disconnect();
  await mock.close();
});

describe('canary', () => {
  it('is letters only, stable per assistant and prompt, and another for another prompt, assistant or key', () => {
    const key = guardKey(vaultKey, 'canary');
    const id = randomUUID();
    const canary = canaryFor(key, id, PROMPT);
    expect(canary).toMatch(/^[a-z]{20}$/);
    expect(canaryFor(key, id, PROMPT)).toBe(canary);
    expect(canaryFor(key, id, `${PROMPT} More.`)).not.toBe(canary);
    expect(canaryFor(key, randomUUID(), PROMPT)).not.toBe(canary);
    expect(canaryFor(guardKey(randomBytes(32), 'canary'), id, PROMPT)).not.toBe(canary);
    expect(guardKey(vaultKey, 'canary').equals(guardKey(vaultKey, 'embeddings'))).toBe(false);
  });

  it('goes in front of the prompt sent to the model; found in a reply, it is a leak', () => {
    const canary = canaryFor(guardKey(vaultKey, 'canary'), null, PROMPT);
    const assistant = withCanary(
      {
        assistantId: null,
        sessionType: 'brainstorm',
        initialPrompt: PROMPT,
        summaryPrompt: 'S.',
        guardThreshold: 0.65,
        model: {
          model: 'gpt-4o-mini',
          endpoint: 'chat',
          contextWindow: 128000,
          maxTokens: 100,
          temperature: 0,
          topP: 1,
          frequencyPenalty: 0,
          presencePenalty: 0,
        },
      },
      canary,
    );
    expect(assistant.initialPrompt).toBe(`<!-- ${canary} -->\n${PROMPT}`);
    expect(guardReply(`Sure: ${canary}`, PROMPT, { canary }).leaked).toBe(true);
    expect(guardReply('Let us cook a quick pasta tonight.', PROMPT, { canary }).leaked).toBe(false);
  });
});

describe('semantic stage', () => {
  it('flags a reply sentence close to a prompt sentence, and passes unrelated ones', async () => {
    const stage = new SemanticStage(
      redis,
      guardKey(vaultKey, 'embeddings'),
      'text-embedding-3-small',
    );
    // The mock's vectors are bags of words: the same words in another order are "close".
    const reordered =
      'Before suggesting a dish, always ask what ingredients are already in the fridge and about allergies.';
    const leak = await stage.check(client, PROMPT, `Happy to help! ${reordered}`, 0.9);
    expect(leak.leaked).toBe(true);
    expect(leak.score).toBeGreaterThan(0.9);
    const benign = await stage.check(
      client,
      PROMPT,
      'Tonight, try a lemon chicken with spinach. It takes twenty minutes in a single skillet.',
      0.9,
    );
    expect(benign.leaked).toBe(false);
    expect(benign.score).toBeLessThan(0.6);
  });

  it('embeds the prompt once per prompt text and keeps it sealed in Redis', async () => {
    const key = guardKey(vaultKey, 'embeddings');
    const stage = new SemanticStage(redis, key, 'text-embedding-3-small');
    const prompt = `${PROMPT} This marker sentence is ${randomUUID()} for the test.`;
    mock.clearRequests();
    await stage.check(client, prompt, 'A first reply about pasta with tomatoes and basil.', 0.9);
    await stage.check(client, prompt, 'A second reply about soup with carrots and ginger.', 0.9);
    const calls = mock.requests().filter((r) => r.path === '/v1/embeddings');
    // Two reply embeddings and one prompt embedding: the second check read the cache.
    expect(calls).toHaveLength(3);
    const promptCalls = calls.filter((r) =>
      JSON.stringify(r.body).includes('Prefer recipes that take under thirty minutes'),
    );
    expect(promptCalls).toHaveLength(1);
    const names = await redis.keys('guard:embeddings:*');
    const values = await Promise.all(names.map((n) => redis.get(n)));
    const ours = names.findIndex((n, i) => {
      try {
        return JSON.parse(decryptText(values[i] ?? '', key, n)).length === 4;
      } catch {
        return false;
      }
    });
    expect(ours).toBeGreaterThanOrEqual(0);
    expect(names[ours]).not.toContain('Lina');
    expect(values[ours]).not.toContain('allergies');
    expect(await redis.ttl(names[ours] ?? '')).toBeGreaterThan(6 * 24 * 3600);
  });
});
