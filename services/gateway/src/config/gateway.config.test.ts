import { generateKeyRingString } from '@lab/platform';
import { loadConfig } from './gateway.config';

const env = (extra: Record<string, string> = {}) => ({
  DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
  REDIS_URL: 'redis://127.0.0.1:1',
  ASSISTANTS_URL: 'http://127.0.0.1:1',
  ASSISTANTS_TOKEN: 'labint_0123456789abcdef',
  SESSIONS_URL: 'http://127.0.0.1:1',
  SESSIONS_TOKEN: 'labint_0123456789abcdef',
  OPENAI_BASE_URL: 'http://127.0.0.1:1',
  IDENTITY_SALT: 'salt-0123456789abcdef',
  MASTER_KEYS: generateKeyRingString('k1'),
  TURN_VAULT_KEY: Buffer.alloc(32, 7).toString('base64'),
  ...extra,
});

describe('the gateway configuration', () => {
  it('wants platform secrets in their recognisable form', () => {
    expect(() => loadConfig(env({ ADMIN_TOKEN: 'a'.repeat(48) }))).toThrow(
      /ADMIN_TOKEN must be labadm_/,
    );
    expect(() => loadConfig(env({ SESSIONS_TOKEN: 's'.repeat(48) }))).toThrow(
      /SESSIONS_TOKEN must start with labint_/,
    );
    expect(loadConfig(env({ ADMIN_TOKEN: `labadm_${'a'.repeat(24)}` })).adminToken).toMatch(
      /^labadm_/,
    );
    expect(() => loadConfig(env({ TURN_VAULT_KEY: 'c2hvcnQ=' }))).toThrow(
      /TURN_VAULT_KEY must be 32 bytes/,
    );
    expect(loadConfig(env()).turnVaultKey).toHaveLength(32);
  });

  it('takes the provider key pattern and the HTTP timeouts from the environment', () => {
    const config = loadConfig(
      env({ PROVIDER_KEY_PATTERN: '^gsk_[A-Za-z0-9]{20,}$', REQUEST_TIMEOUT_MS: '5000' }),
    );
    expect(config.providerKeyPattern.test('gsk_0123456789abcdefghij')).toBe(true);
    expect(config.httpLimits).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 5000 });
    expect(() => loadConfig(env({ PROVIDER_KEY_PATTERN: '(' }))).toThrow(/PROVIDER_KEY_PATTERN/);
  });

  it('reads the live metrics from PROMETHEUS_URL when set, an http(s) URL', () => {
    expect(loadConfig(env()).prometheusUrl).toBeNull();
    expect(
      loadConfig(env({ PROMETHEUS_URL: 'http://prometheus.monitoring:9090' })).prometheusUrl,
    ).toBe('http://prometheus.monitoring:9090');
    expect(() => loadConfig(env({ PROMETHEUS_URL: 'prometheus:9090' }))).toThrow(/PROMETHEUS_URL/);
  });
});
