import {
  apiKeyHash,
  cacheSecret,
  looksLikePlatformSecret,
  looksLikeProviderKey,
  newApiKey,
  oidcLookup,
  openAiKeyCacheName,
  openAiKeyHash,
} from './credentials';

describe('credentials', () => {
  it('hashes an OpenAI key with PBKDF2-SHA256 and the global salt, deterministically', async () => {
    const a = await openAiKeyHash('sk-test-0123456789abcdef', 'salt-0123456789abcdef', 1000);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await openAiKeyHash('sk-test-0123456789abcdef', 'salt-0123456789abcdef', 1000)).toBe(a);
    expect(await openAiKeyHash('sk-test-0123456789abcdeg', 'salt-0123456789abcdef', 1000)).not.toBe(
      a,
    );
    expect(await openAiKeyHash('sk-test-0123456789abcdef', 'other-salt-456789abc', 1000)).not.toBe(
      a,
    );
    expect(a).not.toContain('sk-test');
  });

  it('names cache entries by a keyed HMAC that differs from the stored hash', async () => {
    const secret = cacheSecret('salt-0123456789abcdef');
    expect(secret.equals(Buffer.from('salt-0123456789abcdef'))).toBe(false);
    const name = openAiKeyCacheName('sk-test-0123456789abcdef', secret);
    expect(name).toBe(openAiKeyCacheName('sk-test-0123456789abcdef', secret));
    expect(name).not.toBe(
      openAiKeyCacheName('sk-test-0123456789abcdef', cacheSecret('x'.repeat(20))),
    );
    expect(name).not.toBe(
      Buffer.from(
        await openAiKeyHash('sk-test-0123456789abcdef', 'salt-0123456789abcdef', 1000),
        'hex',
      ).toString('base64url'),
    );
  });

  it('makes API keys of 256 random bits, stored as SHA-256 only', () => {
    const one = newApiKey();
    const two = newApiKey();
    expect(one.key).toMatch(/^lab_[A-Za-z0-9_-]{43}$/);
    expect(one.key).not.toBe(two.key);
    expect(one.hash).toBe(apiKeyHash(one.key));
    expect(one.key.startsWith(one.prefix)).toBe(true);
  });

  it('tells OIDC subjects of different issuers apart', () => {
    expect(oidcLookup('https://a', 'user-1')).not.toBe(oidcLookup('https://b', 'user-1'));
    expect(oidcLookup('https://a', 'user-1')).toBe(oidcLookup('https://a', 'user-1'));
  });

  it('accepts key-shaped bearer tokens only', () => {
    expect(looksLikeProviderKey('sk-proj-abcdefghijklmnopqrstuvwxyz')).toBe(true);
    expect(looksLikeProviderKey('short')).toBe(false);
    expect(looksLikeProviderKey('sk-with space-abcdefghijklmnop')).toBe(false);
  });

  it('never takes a platform secret or an unknown shape for a provider key', () => {
    // Before: any 20-300 printable characters counted, the admin token included.
    expect(looksLikeProviderKey(`labadm_${'a'.repeat(48)}`)).toBe(false);
    expect(looksLikeProviderKey(`labint_${'a'.repeat(48)}`)).toBe(false);
    expect(looksLikeProviderKey('0123456789abcdef0123456789abcdef')).toBe(false);
    expect(looksLikePlatformSecret(`labadm_${'a'.repeat(48)}`)).toBe(true);
    // The pattern is configurable (PROVIDER_KEY_PATTERN), e.g. for another provider's keys.
    expect(looksLikeProviderKey('gsk_0123456789abcdefghij', /^gsk_[A-Za-z0-9]{20,}$/)).toBe(true);
    expect(looksLikeProviderKey('sk-0123456789abcdefghij', /^gsk_[A-Za-z0-9]{20,}$/)).toBe(false);
  });
});
