import { optionsFromEnv } from './config';

describe('optionsFromEnv', () => {
  it('has defaults for everything', () => {
    expect(optionsFromEnv({})).toEqual({ port: 18080, host: '127.0.0.1', shutdownGraceMs: 5000 });
  });

  it('reads every variable', () => {
    expect(
      optionsFromEnv({
        MOCK_LLM_PORT: '9999',
        MOCK_LLM_HOST: '0.0.0.0',
        MOCK_LLM_LATENCY_MS: '25',
        MOCK_LLM_JITTER_MS: '10',
        MOCK_LLM_CHUNK_DELAY_MS: '2',
        MOCK_LLM_API_KEY: 'sk-local',
        MOCK_LLM_REJECT_KEYS_CONTAINING: 'revoked',
        MOCK_LLM_MODELS: 'a-model, b-model,,',
        MOCK_LLM_SHUTDOWN_GRACE_MS: '100',
      }),
    ).toEqual({
      port: 9999,
      host: '0.0.0.0',
      latencyMs: 25,
      jitterMs: 10,
      chunkDelayMs: 2,
      apiKey: 'sk-local',
      rejectKeysContaining: 'revoked',
      models: ['a-model', 'b-model'],
      shutdownGraceMs: 100,
    });
  });

  it('turns the rejected-key text off when the variable is set but empty', () => {
    expect(optionsFromEnv({ MOCK_LLM_REJECT_KEYS_CONTAINING: '' }).rejectKeysContaining).toBeNull();
    expect(optionsFromEnv({}).rejectKeysContaining).toBeUndefined();
  });

  it('rejects invalid numbers', () => {
    expect(() => optionsFromEnv({ MOCK_LLM_LATENCY_MS: 'fast' })).toThrow(/MOCK_LLM_LATENCY_MS/);
    expect(() => optionsFromEnv({ MOCK_LLM_PORT: '70000' })).toThrow(/MOCK_LLM_PORT/);
    expect(() => optionsFromEnv({ MOCK_LLM_JITTER_MS: '-1' })).toThrow(/MOCK_LLM_JITTER_MS/);
  });
});
