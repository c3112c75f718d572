import { errors } from 'jose';
import { discoveryUrl, looksLikeJwt, OidcVerifier, rejectionReason } from './oidc-verifier';

const b64 = (value: string) => Buffer.from(value).toString('base64url');

describe('looksLikeJwt', () => {
  it('accepts three base64url segments whose header names an alg', () => {
    expect(looksLikeJwt(`${b64('{"alg":"RS256","kid":"k1"}')}.${b64('{"sub":"a"}')}.c2ln`)).toBe(
      true,
    );
    // Unsigned: still a JWT by shape; verification refuses it.
    expect(looksLikeJwt(`${b64('{"alg":"none"}')}.${b64('{}')}.`)).toBe(true);
  });

  it('refuses OpenAI keys, platform API keys and look-alikes', () => {
    expect(looksLikeJwt('sk-proj-abcdefghijklmnopqrstuvwxyz0123456789')).toBe(false);
    expect(looksLikeJwt('lab_0123456789abcdef0123456789abcdef')).toBe(false);
    expect(looksLikeJwt('a.b.c')).toBe(false);
    expect(looksLikeJwt(`${b64('{"kid":"k1"}')}.e30.c2ln`)).toBe(false);
    expect(looksLikeJwt(`${b64('{"alg":5}')}.e30.c2ln`)).toBe(false);
    expect(looksLikeJwt(`${b64('null')}.e30.c2ln`)).toBe(false);
  });
});

describe('discoveryUrl', () => {
  it('appends the well-known path to the issuer, path included', () => {
    expect(discoveryUrl('https://idp.example')).toBe(
      'https://idp.example/.well-known/openid-configuration',
    );
    expect(discoveryUrl('https://idp.example/realms/lab/')).toBe(
      'https://idp.example/realms/lab/.well-known/openid-configuration',
    );
  });
});

describe('OidcVerifier', () => {
  it('refuses to be configured with none or shared-secret algorithms', () => {
    const options = { issuer: 'https://idp.example', audience: 'gateway' };
    expect(() => new OidcVerifier({ ...options, algorithms: ['RS256', 'HS256'] })).toThrow(/HS256/);
    expect(() => new OidcVerifier({ ...options, algorithms: ['none'] })).toThrow(/none/);
    expect(() => new OidcVerifier({ ...options, algorithms: ['ES256'] })).not.toThrow();
  });
});

describe('rejectionReason', () => {
  it('names the token’s fault', () => {
    expect(rejectionReason(new errors.JWTExpired('expired', {}, 'exp', 'check_failed'))).toBe(
      'token expired',
    );
    expect(
      rejectionReason(new errors.JWTClaimValidationFailed('aud', {}, 'aud', 'check_failed')),
    ).toBe('wrong audience');
    expect(
      rejectionReason(new errors.JWTClaimValidationFailed('iss', {}, 'iss', 'check_failed')),
    ).toBe('wrong issuer');
    expect(rejectionReason(new errors.JWTClaimValidationFailed('sub', {}, 'sub', 'missing'))).toBe(
      'missing sub claim',
    );
    expect(rejectionReason(new errors.JWSSignatureVerificationFailed())).toBe('bad signature');
  });

  it('leaves failures of the issuer to be answered as unavailable', () => {
    expect(rejectionReason(new errors.JWKSTimeout())).toBeUndefined();
    expect(rejectionReason(new errors.JOSEError('Expected 200 OK'))).toBeUndefined();
    expect(rejectionReason(new Error('connect ECONNREFUSED'))).toBeUndefined();
  });
});
