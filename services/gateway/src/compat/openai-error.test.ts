import { toOpenAiError } from './openai-error';

describe('toOpenAiError', () => {
  it('puts the reason in the message and the field in param', () => {
    const [status, body] = toOpenAiError(400, {
      error: {
        code: 'validation_failed',
        message: 'The request is not valid',
        details: [{ field: 'temperature', message: 'temperature must not be greater than 2' }],
      },
    });
    expect(status).toBe(400);
    expect(body.error).toEqual({
      message: 'temperature: temperature must not be greater than 2',
      type: 'invalid_request_error',
      param: 'temperature',
      code: 'validation_failed',
      details: [{ field: 'temperature', message: 'temperature must not be greater than 2' }],
    });
  });

  it('answers a spend cap as 429 insufficient_quota, with the reason', () => {
    const [status, body] = toOpenAiError(402, {
      error: {
        code: 'spend_cap_reached',
        message: 'The daily spend cap of this user (1 USD) is reached; it resets at 2026-12-03',
        details: [{ field: 'user.daily', message: 'spent 1 USD of a daily cap of 1 USD' }],
      },
    });
    expect(status).toBe(429);
    expect(body.error).toMatchObject({
      type: 'insufficient_quota',
      code: 'insufficient_quota',
      param: null,
    });
    expect(body.error.message).toContain('daily spend cap');
    expect(body.error.message).toContain('spent 1 USD');
  });

  it('answers the platform rate limit as rate_limit_exceeded', () => {
    const [status, body] = toOpenAiError(429, {
      error: { code: 'rate_limited', message: 'Rate limit of 60 requests exceeded; retry in 2 s' },
    });
    expect(status).toBe(429);
    expect(body.error).toEqual({
      message: 'Rate limit of 60 requests exceeded; retry in 2 s',
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    });
  });

  it('types the other statuses as OpenAI does', () => {
    const type = (status: number) =>
      toOpenAiError(status, { error: { code: 'x', message: 'm' } })[1].error.type;
    expect(type(401)).toBe('authentication_error');
    expect(type(403)).toBe('permission_error');
    expect(type(404)).toBe('invalid_request_error');
    expect(type(413)).toBe('invalid_request_error');
    expect(type(503)).toBe('server_error');
  });

  it('keeps a summary that is not the generic one before the reasons', () => {
    const [, body] = toOpenAiError(422, {
      error: {
        code: 'llm_rejected',
        message: 'The model provider rejected this request',
        details: [{ message: 'the schema is not valid' }],
      },
    });
    expect(body.error.message).toBe(
      'The model provider rejected this request (the schema is not valid)',
    );
    expect(body.error.param).toBeNull();
  });
});
