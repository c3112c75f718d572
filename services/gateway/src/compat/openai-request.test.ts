import { ApiException } from '@lab/platform/http';
import { ChatCompletionsDto } from './chat-completions.dto';
import { OpenAiRequestPipe, warnIgnored } from './openai-request';

const pipe = new OpenAiRequestPipe(ChatCompletionsDto);
const base = { model: 'assistant/ABCD1234', messages: [{ role: 'user', content: 'hi' }] };

async function refusal(value: unknown) {
  const error = await pipe.transform(value).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiException);
  return (error as ApiException).getResponse() as {
    error: { details: Array<{ field?: string }> };
  };
}

describe('OpenAiRequestPipe', () => {
  it('ignores top-level parameters it does not know, and names them', async () => {
    const read = await pipe.transform({
      ...base,
      reasoning_effort: 'low',
      service_tier: 'auto',
      prompt_cache_key: 'k1',
      temperature: 0.2,
    });
    expect(read.ignored).toEqual(['reasoning_effort', 'service_tier', 'prompt_cache_key']);
    expect(read.body).toBeInstanceOf(ChatCompletionsDto);
    expect(read.body.temperature).toBe(0.2);
    expect(Object.keys(read.body)).not.toContain('reasoning_effort');
  });

  it('still refuses what it knows when it is wrong, naming the field', async () => {
    const answer = await refusal({ ...base, temperature: 3, reasoning_effort: 'low' });
    expect(answer.error.details).toEqual([expect.objectContaining({ field: 'temperature' })]);
  });

  it('refuses an unknown field inside a message (only the top level is lenient)', async () => {
    const answer = await refusal({
      ...base,
      messages: [{ role: 'user', content: 'hi', secret_flag: true }],
    });
    expect(answer.error.details[0]?.field).toBe('messages.0.secret_flag');
  });

  it('checks response_format: json_schema goes with its type only', async () => {
    const schema = { name: 'plan', schema: { type: 'object' }, strict: true };
    const read = await pipe.transform({
      ...base,
      response_format: { type: 'json_schema', json_schema: schema },
    });
    expect(read.body.response_format?.json_schema?.name).toBe('plan');
    await refusal({ ...base, response_format: { type: 'json_schema' } });
    await refusal({ ...base, response_format: { type: 'json_object', json_schema: schema } });
    await refusal({ ...base, response_format: { type: 'xml' } });
  });

  it("checks a message's fields by its role", async () => {
    const call = { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } };
    const read = await pipe.transform({
      ...base,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: 'call_1', content: 'done' },
      ],
    });
    expect(read.body.messages[1]?.tool_calls?.[0]?.function.name).toBe('f');
    const fields = async (messages: unknown[]) =>
      (await refusal({ ...base, messages })).error.details.map((d) => d.field);
    expect(await fields([{ role: 'tool', content: 'done' }])).toContain('messages.0.tool_call_id');
    expect(await fields([{ role: 'user', content: 'hi', tool_call_id: 'call_1' }])).toContain(
      'messages.0.tool_call_id',
    );
    expect(await fields([{ role: 'user', content: 'hi', tool_calls: [call] }])).toContain(
      'messages.0.tool_calls',
    );
    expect(await fields([{ role: 'user', content: null }])).toContain('messages.0.content');
  });

  it('takes n up to 8 and refuses more with the reason', async () => {
    await expect(pipe.transform({ ...base, n: 8 })).resolves.toMatchObject({ body: { n: 8 } });
    const answer = (await refusal({ ...base, n: 9 })) as unknown as {
      error: { details: Array<{ field?: string; message: string }> };
    };
    expect(answer.error.details[0]).toMatchObject({ field: 'n' });
    expect(answer.error.details[0]?.message).toContain('every choice is guarded and paid for');
  });

  it('refuses a body that is not an object', async () => {
    await refusal([base]);
  });
});

describe('warnIgnored', () => {
  it('sets a 299 Warning naming the parameters, and nothing when none were ignored', () => {
    const headers: Record<string, string> = {};
    const response = {
      setHeader: (name: string, value: string) => (headers[name] = value),
    } as never;
    warnIgnored(response, []);
    expect(headers).toEqual({});
    warnIgnored(response, ['reasoning_effort', 'bad\nname']);
    expect(headers.Warning).toBe('299 - "ignored parameters: reasoning_effort, bad?name"');
  });
});
