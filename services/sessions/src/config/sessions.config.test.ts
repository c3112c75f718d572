import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from './sessions.config';

const valid = {
  DATABASE_URL: 'postgres://lab:lab@127.0.0.1:15432/lab',
  INTERNAL_TOKENS: 'gateway=gateway-token-0123456789',
  ASSISTANTS_URL: 'http://127.0.0.1:3001',
  ASSISTANTS_TOKEN: 'sessions-token-0123456789',
  TEMPORAL_ADDRESS: '127.0.0.1:17233',
  PAYLOAD_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  REDIS_URL: 'redis://127.0.0.1:16379',
  TURN_VAULT_KEY: randomBytes(32).toString('base64'),
};

describe('sessions configuration', () => {
  it('reads the environment with the platform’s defaults', () => {
    expect(loadConfig(valid)).toMatchObject({
      port: 3002,
      databaseSchema: 'sessions',
      chatTurnsTaskQueue: 'chat-turns',
      sessionsTaskQueue: 'sessions',
      turnWaitMs: 120_000,
    });
  });

  it('names every missing or malformed variable at start-up', () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    expect(() => loadConfig({})).toThrow(/DATABASE_URL is required.*REDIS_URL is required/);
    expect(() => loadConfig({})).toThrow(/TURN_VAULT_KEY is required/);
    expect(() => loadConfig({ ...valid, TURN_VAULT_KEY: 'c2hvcnQ=' })).toThrow(
      /TURN_VAULT_KEY must be 32 bytes/,
    );
  });
});
