import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from './config';

const valid = {
  TEMPORAL_ADDRESS: '127.0.0.1:17233',
  REDIS_URL: 'redis://127.0.0.1:16379',
  OPENAI_BASE_URL: 'http://127.0.0.1:18080/v1',
  PAYLOAD_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  TURN_VAULT_KEY: randomBytes(32).toString('base64'),
};

describe('llm-worker configuration', () => {
  it('reads the environment with its defaults', () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({ taskQueue: 'chat-turns', llmTimeoutMs: 90_000 });
    expect(config.turnVaultKey).toHaveLength(32);
  });

  it('needs the turn vault key it shares with the sessions service', () => {
    const withoutKey = { ...valid, TURN_VAULT_KEY: undefined };
    expect(() => loadConfig(withoutKey)).toThrow(ConfigError);
    expect(() => loadConfig(withoutKey)).toThrow(/TURN_VAULT_KEY is required/);
    expect(() => loadConfig({ ...valid, TURN_VAULT_KEY: 'c2hvcnQ=' })).toThrow(
      /TURN_VAULT_KEY must be 32 bytes/,
    );
  });
});
