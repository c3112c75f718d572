import OpenAI, { BadRequestError, NotFoundError } from 'openai';
import { embed } from './embeddings';
import { startMockLlm, type MockLlm } from './index';

let mock: MockLlm;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockLlm();
  client = new OpenAI({
    apiKey: 'test-key',
    baseURL: `http://127.0.0.1:${mock.port}/v1`,
    maxRetries: 0,
  });
});
afterAll(() => mock.close());

const cosine = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * (b[i] ?? 0), 0);

describe('/v1/embeddings', () => {
  it("answers the official SDK in OpenAI's shape (base64 by default, floats on request)", async () => {
    const texts = [
      'Ask one open question at a time.',
      'ask one open question at a time',
      'The cat sat.',
    ];
    const answer = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: texts,
    });
    expect(answer.object).toBe('list');
    expect(answer.model).toBe('text-embedding-3-small');
    expect(answer.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(answer.data[0]?.embedding).toHaveLength(1536);
    expect(answer.usage.prompt_tokens).toBeGreaterThan(10);
    expect(answer.usage.total_tokens).toBe(answer.usage.prompt_tokens);
    const [a, b, c] = answer.data.map((d) => d.embedding) as [number[], number[], number[]];
    expect(cosine(a, a)).toBeCloseTo(1, 5);
    expect(cosine(a, b)).toBeCloseTo(1, 5); // same words, other case and punctuation
    expect(cosine(a, c)).toBeLessThan(0.3);
    const floats = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: texts[0] ?? '',
      encoding_format: 'float',
      dimensions: 64,
    });
    expect(floats.data[0]?.embedding).toHaveLength(64);
    expect(floats.data[0]?.embedding).toEqual(Array.from(embed(texts[0] ?? '', 64)));
  });

  it('is deterministic', async () => {
    const once = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'Hello there',
    });
    const twice = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'Hello there',
    });
    expect(once.data[0]?.embedding).toEqual(twice.data[0]?.embedding);
  });

  it('fails like OpenAI: unknown model 404, bad input or dimensions 400', async () => {
    await expect(client.embeddings.create({ model: 'gpt-4o', input: 'x' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      client.embeddings.create({ model: 'text-embedding-3-small', input: '' }),
    ).rejects.toBeInstanceOf(BadRequestError);
    await expect(
      client.embeddings.create({ model: 'text-embedding-ada-002', input: 'x', dimensions: 8 }),
    ).rejects.toMatchObject({ status: 400, param: 'dimensions' });
    const response = await fetch(`${mock.baseURL}/embeddings`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'text-embedding-3-small' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        message: "Missing required parameter: 'input'.",
        type: 'invalid_request_error',
        param: 'input',
        code: 'missing_required_parameter',
      },
    });
  });
});
