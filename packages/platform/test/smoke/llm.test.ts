import { startMockLlm, type MockLlm } from '@lab/mock-llm';
import OpenAI from 'openai';

// The LLM the platform is configured with: OPENAI_BASE_URL when given (any OpenAI-compatible
// endpoint), else the project's mock, exactly as the services will reach it: the openai SDK.
describe('LLM endpoint through the openai SDK', () => {
  let mock: MockLlm | undefined;
  let client: OpenAI;
  const model = process.env.OPENAI_MODEL ?? 'gpt-4o-mini';

  beforeAll(async () => {
    if (process.env.OPENAI_BASE_URL) {
      client = new OpenAI({
        baseURL: process.env.OPENAI_BASE_URL,
        apiKey: process.env.OPENAI_API_KEY ?? 'none',
      });
    } else {
      mock = await startMockLlm();
      client = new OpenAI({ baseURL: mock.baseURL, apiKey: 'test', maxRetries: 0 });
    }
  });

  afterAll(async () => {
    await mock?.close();
  });

  it('answers a chat completion with usage', async () => {
    const reply = await client.chat.completions.create({
      model,
      messages: [
        { role: 'system', content: 'You are a concise assistant.' },
        { role: 'user', content: 'Say hello in three words.' },
      ],
      max_tokens: 50,
    });
    expect(reply.object).toBe('chat.completion');
    expect(reply.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(reply.usage?.prompt_tokens).toBeGreaterThan(10);
    expect(reply.usage?.total_tokens).toBe(
      (reply.usage?.prompt_tokens ?? 0) + (reply.usage?.completion_tokens ?? 0),
    );
  });

  it('streams a chat completion in several chunks ending with usage', async () => {
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Tell me two short sentences about rivers.' }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 80,
    });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text.length).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });
});
