import { ConfigError, loadConfig } from './assistants.config';

const valid = {
  DATABASE_URL: 'postgres://lab:lab@127.0.0.1:15432/lab',
  INTERNAL_TOKENS: 'gateway=gateway-token-0123456789,sessions=sessions-token-0123456789',
  PROMPT_KEYS: `p2:${Buffer.alloc(32, 2).toString('base64')},p1:${Buffer.alloc(32, 1).toString('base64')}`,
};

describe('assistants configuration', () => {
  it('reads the environment with sensible defaults', () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3001,
      databaseSchema: 'assistants',
      bodyLimit: '256kb',
    });
    expect(config.internalTokens.get('sessions-token-0123456789')).toBe('sessions');
    expect(config.promptKeys.keyIds).toEqual(['p2', 'p1']);
  });

  it('stops with every problem named, not a crash later', () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    expect(() => loadConfig({})).toThrow(
      /INTERNAL_TOKENS is required; PROMPT_KEYS is required; DATABASE_URL is required/,
    );
    expect(() => loadConfig({ ...valid, PROMPT_KEYS: 'p1:c2hvcnQ=' })).toThrow(
      /PROMPT_KEYS: .*32 bytes/,
    );
    expect(() => loadConfig({ ...valid, PORT: 'http' })).toThrow(/PORT must be a port number/);
    expect(() => loadConfig({ ...valid, DATABASE_SCHEMA: 'Robert"; drop' })).toThrow(
      /DATABASE_SCHEMA/,
    );
    expect(() => loadConfig({ ...valid, INTERNAL_TOKENS: 'gateway=short' })).toThrow(
      /16 characters/,
    );
    expect(() => loadConfig({ ...valid, SHOWCASE_CREATOR_ID: 'admin' })).toThrow(
      /SHOWCASE_CREATOR_ID/,
    );
  });
});
