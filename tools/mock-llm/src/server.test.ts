import { countChatTokens, countTokens } from '@lab/conversation';
import OpenAI, { BadRequestError, NotFoundError } from 'openai';
import { DEFAULT_MODELS, startMockLlm, type MockLlm } from './index';

let mock: MockLlm;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockLlm();
  client = new OpenAI({
    apiKey: 'test',
    baseURL: `http://127.0.0.1:${mock.port}/v1`,
    maxRetries: 0,
  });
});

afterAll(() => mock.close());

const system = 'You are a concise assistant. Answer in English.';

describe('models', () => {
  it('lists the configured models and retrieves one', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual([...DEFAULT_MODELS]);
    expect(ids).toEqual(
      expect.arrayContaining(['gpt-4o-mini', 'gpt-3.5-turbo-instruct', 'text-davinci-003']),
    );
    const one = await client.models.retrieve('gpt-4o');
    expect(one).toMatchObject({ id: 'gpt-4o', object: 'model' });
    await expect(client.models.retrieve('no-such-model')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('serves a custom model list', async () => {
    const custom = await startMockLlm({ models: ['only-model'] });
    try {
      const other = new OpenAI({ apiKey: 'x', baseURL: custom.baseURL, maxRetries: 0 });
      const ids: string[] = [];
      for await (const model of other.models.list()) ids.push(model.id);
      expect(ids).toEqual(['only-model']);
    } finally {
      await custom.close();
    }
  });
});

describe('chat completions', () => {
  const messages = [
    { role: 'system' as const, content: system },
    { role: 'user' as const, content: '  What is the capital of France?  ' },
  ];

  it('answers with an OpenAI-shaped completion and real token usage', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('gpt-4o-mini');
    expect(typeof completion.created).toBe('number');
    expect(completion.choices).toHaveLength(1);
    const [choice] = completion.choices;
    expect(choice?.index).toBe(0);
    expect(choice?.finish_reason).toBe('stop');
    expect(choice?.message.role).toBe('assistant');
    const content = choice?.message.content ?? '';
    expect(content.startsWith('Mock reply to "What is the capital of France?".')).toBe(true);
    // A few sentences, so that streams have several chunks.
    expect(content.split(/(?<=\.)\s+/).length).toBeGreaterThanOrEqual(3);

    const promptTokens = countChatTokens(messages, 'gpt-4o-mini');
    const completionTokens = countTokens(content, 'gpt-4o-mini');
    expect(completion.usage).toMatchObject({
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    });
  });

  it('counts with the encoding of the requested model', async () => {
    const longSystem = `${system} `.repeat(40); // long enough to go through the count memo
    const msgs = [
      { role: 'system' as const, content: longSystem },
      { role: 'user' as const, content: 'Grüße aus Köln — naïve café' },
    ];
    for (const model of ['gpt-4o', 'gpt-3.5-turbo']) {
      for (let i = 0; i < 2; i++) {
        const completion = await client.chat.completions.create({ model, messages: msgs });
        expect(completion.usage?.prompt_tokens).toBe(countChatTokens(msgs, model));
        expect(completion.usage?.completion_tokens).toBe(
          countTokens(completion.choices[0]?.message.content ?? '', model),
        );
      }
    }
    expect(countChatTokens(msgs, 'gpt-4o')).not.toBe(countChatTokens(msgs, 'gpt-3.5-turbo'));
  });

  it('is deterministic: the same request gets the same reply, another gets another', async () => {
    const first = await client.chat.completions.create({ model: 'gpt-4o', messages });
    const second = await client.chat.completions.create({ model: 'gpt-4o', messages });
    expect(second.choices[0]?.message.content).toBe(first.choices[0]?.message.content);
    expect(second.id).not.toBe(first.id);
    const other = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Something else entirely' }],
    });
    expect(other.choices[0]?.message.content).not.toBe(first.choices[0]?.message.content);
  });

  it('streams word-sized deltas that add up to the same reply, with a usage chunk', async () => {
    const whole = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const reply = whole.choices[0]?.message.content ?? '';

    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    const finishReasons: string[] = [];
    const usages: OpenAI.CompletionUsage[] = [];
    const ids = new Set<string>();
    let first: OpenAI.ChatCompletionChunk | undefined;
    for await (const chunk of stream) {
      first ??= chunk;
      ids.add(chunk.id);
      expect(chunk.object).toBe('chat.completion.chunk');
      const choice = chunk.choices[0];
      if (choice?.delta.content) deltas.push(choice.delta.content);
      if (choice?.finish_reason) finishReasons.push(choice.finish_reason);
      if (chunk.usage) {
        expect(chunk.choices).toEqual([]);
        usages.push(chunk.usage);
      }
    }
    expect(first?.choices[0]?.delta.role).toBe('assistant');
    expect(ids.size).toBe(1);
    expect(deltas.join('')).toBe(reply);
    expect(deltas.length).toBe(reply.split(/\s+/).length);
    expect(deltas.every((d) => d.trim().split(/\s+/).length === 1)).toBe(true);
    expect(finishReasons).toEqual(['stop']);
    expect(usages).toHaveLength(1);
    expect(usages[0]).toMatchObject({
      prompt_tokens: countChatTokens(messages, 'gpt-4o-mini'),
      completion_tokens: countTokens(reply, 'gpt-4o-mini'),
    });
  });

  it('sends no usage chunk without include_usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    });
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.usage ?? null).toBeNull();
    }
    expect(chunks).toBeGreaterThan(3);
  });

  it('truncates at max_tokens with finish_reason length, streamed or not', async () => {
    const full = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const reply = full.choices[0]?.message.content ?? '';
    for (const limit of [{ max_tokens: 7 }, { max_completion_tokens: 7 }]) {
      const cut = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        ...limit,
      });
      const content = cut.choices[0]?.message.content ?? '';
      expect(cut.choices[0]?.finish_reason).toBe('length');
      expect(reply.startsWith(content)).toBe(true);
      expect(content.length).toBeLessThan(reply.length);
      expect(cut.usage?.completion_tokens).toBe(countTokens(content, 'gpt-4o-mini'));
      expect(cut.usage?.completion_tokens).toBeLessThanOrEqual(7);
      expect(cut.usage?.completion_tokens).toBeGreaterThanOrEqual(6);
    }
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      max_tokens: 7,
      stream: true,
    });
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('length');
    expect(reply.startsWith(text)).toBe(true);
    expect(countTokens(text, 'gpt-4o-mini')).toBeLessThanOrEqual(7);
  });

  it('a reply within max_tokens is not cut', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      max_tokens: 500,
    });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
  });

  it('cuts the reply before a stop sequence', async () => {
    const full = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const reply = full.choices[0]?.message.content ?? '';
    const words = reply.split(' ');
    const stopWord = words[6] ?? '';
    const stopped = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stop: ['NEVER-THERE', ` ${stopWord}`],
    });
    const content = stopped.choices[0]?.message.content ?? '';
    expect(content).toBe(reply.slice(0, reply.indexOf(` ${stopWord}`)));
    expect(stopped.choices[0]?.finish_reason).toBe('stop');
    expect(stopped.usage?.completion_tokens).toBe(countTokens(content, 'gpt-4o-mini'));
  });

  it('accepts content given as text parts', async () => {
    const parts = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello in parts' }] }],
    });
    const plain = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello in parts' }],
    });
    expect(parts.choices[0]?.message.content).toBe(plain.choices[0]?.message.content);
  });
});

describe('structured output', () => {
  it('answers json_object with a JSON object, and refuses it without "json" in the messages', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Answer in JSON please.' }],
      response_format: { type: 'json_object' },
    });
    const parsed = JSON.parse(completion.choices[0]?.message.content ?? '') as unknown;
    expect(parsed).toEqual({ reply: expect.stringContaining('Mock reply') });
    await expect(
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'No format word here.' }],
        response_format: { type: 'json_object' },
      }),
    ).rejects.toMatchObject({ status: 400, param: 'messages' });
  });

  it('answers json_schema with a value that follows the schema, streamed too', async () => {
    const schema = {
      type: 'object',
      properties: {
        title: { type: 'string' },
        steps: { type: 'array', items: { $ref: '#/$defs/step' } },
        level: { type: 'string', enum: ['low', 'high'] },
        note: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      },
      required: ['title', 'steps', 'level', 'note'],
      additionalProperties: false,
      $defs: {
        step: {
          type: 'object',
          properties: { order: { type: 'integer' }, done: { type: 'boolean' } },
          required: ['order', 'done'],
          additionalProperties: false,
        },
      },
    };
    const request = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user' as const, content: 'Plan my week.' }],
      response_format: {
        type: 'json_schema' as const,
        json_schema: { name: 'plan', strict: true, schema },
      },
    };
    const completion = await client.chat.completions.create(request);
    const value = JSON.parse(completion.choices[0]?.message.content ?? '') as Record<
      string,
      unknown
    >;
    expect(value).toEqual({
      title: expect.any(String),
      steps: [{ order: 1, done: true }],
      level: 'low',
      note: expect.any(String),
    });
    const stream = await client.chat.completions.create({ ...request, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('tools', () => {
  const tools = [
    {
      type: 'function' as const,
      function: {
        name: 'get_weather',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string' }, days: { type: 'integer' } },
          required: ['city', 'days'],
        },
      },
    },
  ];

  it('calls a function with arguments that follow its parameters, streamed the same', async () => {
    const request = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user' as const, content: 'Weather in Paris?' }],
      tools,
    };
    const completion = await client.chat.completions.create(request);
    const [choice] = completion.choices;
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    const args = JSON.parse(call?.type === 'function' ? call.function.arguments : '') as unknown;
    expect(args).toEqual({ city: expect.any(String), days: 1 });

    const stream = await client.chat.completions.create({ ...request, stream: true });
    let streamed = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(JSON.parse(streamed)).toEqual(args);
    expect(finish).toBe('tool_calls');
  });

  it('answers in text once the conversation ends with tool results, or with tool_choice none', async () => {
    const answered = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris","days":1}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'Sunny, 21 C' },
      ],
    });
    expect(answered.choices[0]?.finish_reason).toBe('stop');
    expect(answered.choices[0]?.message.content).toContain('Sunny, 21 C');
    const none = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools,
      tool_choice: 'none',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    expect(none.choices[0]?.message.tool_calls).toBeUndefined();
  });
});

describe('legacy completions', () => {
  const prompt = 'You are a poet.\n\nUser: Write about the sea.\nAssistant:';

  it('answers with a text_completion and real token usage', async () => {
    const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt });
    expect(completion.object).toBe('text_completion');
    expect(completion.id).toMatch(/^cmpl-/);
    expect(completion.model).toBe('gpt-3.5-turbo-instruct');
    const text = completion.choices[0]?.text ?? '';
    expect(text).toMatch(/^Mock reply to ".*Write about the sea\. Assistant:"\. /);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({
      prompt_tokens: countTokens(prompt, 'gpt-3.5-turbo-instruct'),
      completion_tokens: countTokens(text, 'gpt-3.5-turbo-instruct'),
      total_tokens:
        countTokens(prompt, 'gpt-3.5-turbo-instruct') + countTokens(text, 'gpt-3.5-turbo-instruct'),
    });
    const again = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt });
    expect(again.choices[0]?.text).toBe(text);
  });

  it('cuts the reply before the first stop sequence', async () => {
    mock.addScript({
      match: 'STOP-MARKER-1',
      reply: 'The sea is wide.\nUser: this line must not appear\nAssistant: nor this',
    });
    const completion = await client.completions.create({
      model: 'text-davinci-003',
      prompt: `${prompt} STOP-MARKER-1`,
      stop: ['\nAssistant:', '\nUser:'],
    });
    expect(completion.choices[0]?.text).toBe('The sea is wide.');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBe(
      countTokens('The sea is wide.', 'text-davinci-003'),
    );
    expect(completion.usage?.prompt_tokens).toBe(
      countTokens(`${prompt} STOP-MARKER-1`, 'text-davinci-003'),
    );
  });

  it('cuts the deterministic reply at a stop sequence found in it', async () => {
    const full = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt });
    const text = full.choices[0]?.text ?? '';
    const stopAt = ` ${text.split(' ')[5] ?? ''}`;
    const stopped = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt,
      stop: stopAt,
    });
    const cut = stopped.choices[0]?.text ?? '';
    expect(cut).toBe(text.slice(0, text.indexOf(stopAt)));
    expect(cut.length).toBeLessThan(text.length);
    expect(stopped.choices[0]?.finish_reason).toBe('stop');
  });

  it('streams text deltas that add up to the reply, with a usage chunk', async () => {
    const full = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt });
    const text = full.choices[0]?.text ?? '';
    const stream = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt,
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamed = '';
    let chunks = 0;
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.object).toBe('text_completion');
      streamed += chunk.choices[0]?.text ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(streamed).toBe(text);
    expect(chunks).toBeGreaterThan(5);
    expect(finish).toBe('stop');
    expect(usage).toEqual(full.usage);
  });

  it('truncates at max_tokens with finish_reason length', async () => {
    const completion = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt,
      max_tokens: 5,
    });
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBeLessThanOrEqual(5);
    expect(completion.usage?.completion_tokens).toBe(
      countTokens(completion.choices[0]?.text ?? '', 'gpt-3.5-turbo-instruct'),
    );
  });
});

describe('validation', () => {
  async function rejection(promise: Promise<unknown>): Promise<unknown> {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    throw new Error('expected a rejection');
  }

  it('404 model_not_found for an unknown model', async () => {
    const error = await rejection(
      client.chat.completions.create({
        model: 'gpt-9-imaginary',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({
      status: 404,
      code: 'model_not_found',
      type: 'invalid_request_error',
    });
  });

  it('400 for missing or invalid messages, model or prompt', async () => {
    const cases: Array<[Promise<unknown>, string, string]> = [
      [
        client.chat.completions.create({ model: 'gpt-4o' } as never),
        'messages',
        'missing_required_parameter',
      ],
      [
        client.chat.completions.create({ model: 'gpt-4o', messages: [] }),
        'messages',
        'empty_array',
      ],
      [
        client.chat.completions.create({ model: 'gpt-4o', messages: 'hi' } as never),
        'messages',
        'invalid_type',
      ],
      [
        client.chat.completions.create({
          model: 'gpt-4o',
          messages: [{ role: 'wizard', content: 'hi' }],
        } as never),
        'messages[0].role',
        'invalid_value',
      ],
      [
        client.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }] } as never),
        'model',
        'missing_required_parameter',
      ],
      [
        client.completions.create({ model: 'gpt-3.5-turbo-instruct' } as never),
        'prompt',
        'missing_required_parameter',
      ],
      [
        client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 42 } as never),
        'prompt',
        'invalid_type',
      ],
      [
        client.chat.completions.create({
          model: 'gpt-4o',
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 0,
        }),
        'max_tokens',
        'integer_below_min_value',
      ],
    ];
    for (const [promise, param, code] of cases) {
      const error = await rejection(promise);
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param, code });
    }
  });

  it('400 for a body that is not JSON, 404 for an unknown path', async () => {
    const bad = await fetch(`${mock.baseURL}/chat/completions`, { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const unknown = await fetch(`${mock.baseURL}/audio/speech`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    // /v1/embeddings exists (embeddings.test.ts): an empty body is OpenAI's 400 for `model`.
    const embeddings = await fetch(`${mock.baseURL}/embeddings`, { method: 'POST', body: '{}' });
    expect(embeddings.status).toBe(400);
    expect(await embeddings.json()).toMatchObject({ error: { param: 'model' } });
  });
});

describe('api key', () => {
  it('rejects a wrong bearer token with 401 when configured, accepts the right one', async () => {
    const secured = await startMockLlm({ apiKey: 'sk-right-key-1234' });
    try {
      const right = new OpenAI({
        apiKey: 'sk-right-key-1234',
        baseURL: secured.baseURL,
        maxRetries: 0,
      });
      const wrong = new OpenAI({
        apiKey: 'sk-wrong-key-9999',
        baseURL: secured.baseURL,
        maxRetries: 0,
      });
      const ok = await right.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(ok.choices[0]?.message.content).toContain('hi');
      await expect(
        wrong.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'hi' }],
        }),
      ).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
      expect(secured.requests().map((r) => [r.authorization, r.status])).toEqual([
        ['Bearer sk-right-key-1234', 200],
        ['Bearer sk-wrong-key-9999', 401],
      ]);
    } finally {
      await secured.close();
    }
  });

  it('rejects a key containing `invalid` on every /v1 route, as OpenAI rejects a revoked key', async () => {
    const revoked = new OpenAI({
      apiKey: 'sk-user-invalid-0001',
      baseURL: mock.baseURL,
      maxRetries: 0,
    });
    const rejected = { status: 401, code: 'invalid_api_key', type: 'invalid_request_error' };
    await expect(revoked.models.list()).rejects.toMatchObject(rejected);
    await expect(revoked.models.retrieve('gpt-4o')).rejects.toMatchObject(rejected);
    await expect(
      revoked.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).rejects.toMatchObject(rejected);
    await expect(
      revoked.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi' }),
    ).rejects.toMatchObject(rejected);
    // The body is OpenAI's shape, and the key is masked in the message.
    const raw = await fetch(`${mock.baseURL}/models`, {
      headers: { authorization: 'Bearer sk-user-invalid-0001' },
    });
    expect(raw.status).toBe(401);
    const body = (await raw.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
    expect(body.error.message).toMatch(/^Incorrect API key provided: sk-\.\.\.0001\.$/);
  });

  it('rejects keys containing another text, or none, as configured', async () => {
    const strict = await startMockLlm({ rejectKeysContaining: 'revoked' });
    const lenient = await startMockLlm({ rejectKeysContaining: null });
    try {
      const call = (baseURL: string, apiKey: string) =>
        new OpenAI({ apiKey, baseURL, maxRetries: 0 }).models.list();
      await expect(call(strict.baseURL, 'sk-revoked-1')).rejects.toMatchObject({ status: 401 });
      await expect(call(strict.baseURL, 'sk-invalid-1')).resolves.toBeDefined();
      await expect(call(lenient.baseURL, 'sk-invalid-1')).resolves.toBeDefined();
    } finally {
      await strict.close();
      await lenient.close();
    }
  });

  it('accepts any key by default', async () => {
    const other = new OpenAI({ apiKey: 'anything', baseURL: mock.baseURL, maxRetries: 0 });
    const ok = await other.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(ok.object).toBe('chat.completion');
  });
});
