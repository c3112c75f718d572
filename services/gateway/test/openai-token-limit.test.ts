/**
 * The token-per-minute budget on the OpenAI-compatible route (decision 0016), against the whole
 * platform with the official `openai` Node SDK: OpenAI's `x-ratelimit-*-tokens` headers beside
 * the `-requests` ones, charged with each exchange's real usage (streamed too), and a spent
 * budget refused with 429 `rate_limit_exceeded` and a `Retry-After` from the refill.
 */
import OpenAI, { RateLimitError } from 'openai';
import { type E2ePlatform, openAiKey, startE2ePlatform } from './support/e2e-platform';

const TOKENS_PER_MINUTE = 600;

describe('the token budget of the OpenAI-compatible route', () => {
  let p: E2ePlatform;
  let key: string;
  let model: string;

  const client = () => new OpenAI({ baseURL: `${p.url}/v1`, apiKey: key, maxRetries: 0 });
  const ask = (content: string) =>
    client()
      .chat.completions.create({ model, messages: [{ role: 'user', content }] })
      .withResponse();

  beforeAll(async () => {
    p = await startE2ePlatform('openai_tokens', {
      gatewayEnv: { RATE_LIMIT_TOKENS_PER_MINUTE: String(TOKENS_PER_MINUTE) },
    });
    key = openAiKey();
    const created = await p.call('POST', '/v1/assistants', key, {
      name: 'Budget Coach',
      tagLine: 'Counts tokens',
      description: 'A coach for budgets.',
      sessionType: 'brainstorm',
      initialPrompt: 'You are a budget coach. Keep every answer practical.',
      summaryPrompt: 'Summarise the budget so far.',
      modelConfig: {
        model: 'gpt-4o-mini',
        maxTokens: 200,
        temperature: 0.7,
        topP: 1,
        frequencyPenalty: 0,
        presencePenalty: 0,
      },
    });
    expect(created.status).toBe(201);
    model = `assistant/${created.body.code}`;
  }, 240_000);

  afterAll(async () => {
    await p?.close();
  });

  it('tells the budget in headers and charges each exchange its real usage, streamed too', async () => {
    const first = await ask('How do I start a budget?');
    const headers = first.response.headers;
    expect(headers.get('x-ratelimit-limit-tokens')).toBe(String(TOKENS_PER_MINUTE));
    expect(headers.get('x-ratelimit-remaining-tokens')).toBe(String(TOKENS_PER_MINUTE));
    expect(headers.get('x-ratelimit-reset-tokens')).toMatch(/^\d+(\.\d)?(ms|s)$|^\d+m\d+s$/);
    expect(headers.get('x-ratelimit-limit-requests')).not.toBeNull();
    const spent = first.data.usage?.total_tokens ?? 0;
    expect(spent).toBeGreaterThan(0);

    const second = await ask('And then?');
    const left = Number(second.response.headers.get('x-ratelimit-remaining-tokens'));
    // Charged with the first exchange's tokens; the refill (10 a second) gave some back since.
    expect(left).toBeLessThan(TOKENS_PER_MINUTE);
    expect(left).toBeGreaterThanOrEqual(TOKENS_PER_MINUTE - spent);
    expect(second.response.headers.get('x-ratelimit-reset-tokens')).not.toBe('0ms');

    const streamed = await client()
      .chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Stream me a tip.' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    let usage = 0;
    for await (const chunk of streamed.data) usage = chunk.usage?.total_tokens ?? usage;
    expect(usage).toBeGreaterThan(0);
    const before = Number(streamed.response.headers.get('x-ratelimit-remaining-tokens'));
    const after = await ask('One more?');
    // The streamed exchange was charged once its usage was known.
    expect(Number(after.response.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(before);
  }, 120_000);

  it('refuses a spent budget with 429 rate_limit_exceeded and a Retry-After from the refill', async () => {
    let refused: unknown;
    for (let i = 0; i < 40 && refused === undefined; i += 1) {
      try {
        await ask(`Spend tokens, round ${i}.`);
      } catch (error) {
        refused = error;
      }
    }
    expect(refused).toBeInstanceOf(RateLimitError);
    const error = refused as RateLimitError;
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.message).toContain(`${TOKENS_PER_MINUTE} tokens per minute`);
    expect(error.headers?.get('x-ratelimit-remaining-tokens')).toBe('0');
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(error.headers?.get('retry-after-ms'))).toBeGreaterThan(0);
  }, 180_000);
});
