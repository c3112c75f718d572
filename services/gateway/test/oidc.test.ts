import { HttpStatus, Logger } from '@nestjs/common';
import { ApiException } from '@lab/platform/http';
import { SignJWT } from 'jose';
import { looksLikeJwt, OidcVerifier } from '../src/identity/oidc/oidc-verifier';
import { type LocalOidcIssuer, startOidcIssuer } from './support/oidc-issuer';

/** What `verify` threw, as status, code and message. */
async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => {
      throw new Error('the token was accepted');
    },
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(ApiException);
  const exception = error as ApiException;
  const body = exception.getResponse() as { error: { code: string; message: string } };
  return { status: exception.getStatus(), ...body.error };
}

const now = () => Math.floor(Date.now() / 1000);

describe('OIDC bearer verification (local issuer)', () => {
  let idp: LocalOidcIssuer;
  let verifier: OidcVerifier;
  let errorLog: jest.SpyInstance;

  beforeAll(async () => {
    idp = await startOidcIssuer();
    verifier = new OidcVerifier({ issuer: idp.issuer, audience: idp.audience });
  });

  afterAll(async () => {
    await idp.close();
  });

  beforeEach(() => {
    errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => errorLog.mockRestore());

  it('accepts a valid token and names its issuer and subject', async () => {
    const token = await idp.sign({ sub: 'alice' });
    await expect(verifier.verify(token)).resolves.toEqual({
      issuer: idp.issuer,
      subject: 'alice',
    });
  });

  it('discovers the JWKS once and keeps it', async () => {
    const local = await startOidcIssuer();
    try {
      const discovering = new OidcVerifier({ issuer: local.issuer, audience: local.audience });
      for (const sub of ['a', 'b', 'c']) {
        await expect(discovering.verify(await local.sign({ sub }))).resolves.toMatchObject({
          subject: sub,
        });
      }
      expect(local.requests).toEqual({ discovery: 1, jwks: 1 });
    } finally {
      await local.close();
    }
  });

  it('uses a configured JWKS address without discovery', async () => {
    const local = await startOidcIssuer();
    try {
      const direct = new OidcVerifier({
        issuer: local.issuer,
        audience: local.audience,
        jwksUri: local.jwksUri,
      });
      await expect(direct.verify(await local.sign())).resolves.toMatchObject({
        subject: 'portal-user-1',
      });
      expect(local.requests).toEqual({ discovery: 0, jwks: 1 });
    } finally {
      await local.close();
    }
  });

  it('discovers an issuer with a path, as Keycloak-style issuers have', async () => {
    const realm = await startOidcIssuer({ path: '/realms/lab', audience: 'portal' });
    try {
      const realmVerifier = new OidcVerifier({ issuer: realm.issuer, audience: 'portal' });
      await expect(realmVerifier.verify(await realm.sign({ sub: 'bob' }))).resolves.toEqual({
        issuer: realm.issuer,
        subject: 'bob',
      });
    } finally {
      await realm.close();
    }
  });

  it('refuses an expired token', async () => {
    const token = await idp.sign({ iat: now() - 3600, exp: now() - 600 });
    await expect(refusal(verifier.verify(token))).resolves.toEqual({
      status: HttpStatus.UNAUTHORIZED,
      code: 'invalid_token',
      message: 'Invalid token: token expired',
    });
  });

  it('tolerates a few seconds of clock skew', async () => {
    const token = await idp.sign({ exp: now() - 5 });
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'portal-user-1' });
  });

  it('refuses a token for another audience', async () => {
    const token = await idp.sign({ aud: 'another-client' });
    await expect(refusal(verifier.verify(token))).resolves.toMatchObject({
      status: HttpStatus.UNAUTHORIZED,
      code: 'invalid_token',
      message: 'Invalid token: wrong audience',
    });
  });

  it('refuses a token from another issuer, even signed with a published key', async () => {
    const token = await idp.sign({ iss: 'https://elsewhere.example' });
    await expect(refusal(verifier.verify(token))).resolves.toMatchObject({
      code: 'invalid_token',
      message: 'Invalid token: wrong issuer',
    });
  });

  it('refuses a token signed with a key the issuer does not publish', async () => {
    const unknownKid = await idp.sign({}, { foreignKey: true });
    await expect(refusal(verifier.verify(unknownKid))).resolves.toMatchObject({
      status: HttpStatus.UNAUTHORIZED,
      code: 'invalid_token',
      message: expect.stringContaining('bad signature'),
    });

    // The same foreign key claiming the issuer's own key id.
    const publishedKid = JSON.parse(
      Buffer.from((await idp.sign()).split('.')[0]!, 'base64url').toString(),
    ).kid;
    const impostor = await idp.sign({}, { foreignKey: true, kid: publishedKid });
    await expect(refusal(verifier.verify(impostor))).resolves.toMatchObject({
      code: 'invalid_token',
      message: 'Invalid token: bad signature',
    });
  });

  it('refuses a tampered token', async () => {
    const [header, , signature] = (await idp.sign({ sub: 'alice' })).split('.');
    const forged = Buffer.from(
      JSON.stringify({ iss: idp.issuer, aud: idp.audience, sub: 'admin', exp: now() + 300 }),
    ).toString('base64url');
    await expect(
      refusal(verifier.verify(`${header}.${forged}.${signature}`)),
    ).resolves.toMatchObject({ code: 'invalid_token', message: 'Invalid token: bad signature' });
  });

  it('refuses alg none and shared-secret algorithms', async () => {
    await expect(refusal(verifier.verify(idp.unsecured()))).resolves.toMatchObject({
      status: HttpStatus.UNAUTHORIZED,
      code: 'invalid_token',
      message: 'Invalid token: signature algorithm not allowed',
    });

    // HS256 keyed with public material: the classic algorithm-confusion forgery.
    const hs256 = await new SignJWT({ sub: 'mallory' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(idp.issuer)
      .setAudience(idp.audience)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(idp.jwksUri));
    await expect(refusal(verifier.verify(hs256))).resolves.toMatchObject({
      code: 'invalid_token',
      message: 'Invalid token: signature algorithm not allowed',
    });
  });

  it('refuses malformed tokens', async () => {
    for (const token of ['not-a-jwt', 'abc.def.ghi', 'e30.e30.', `${'a'.repeat(20_000)}.b.c`]) {
      await expect(refusal(verifier.verify(token))).resolves.toMatchObject({
        status: HttpStatus.UNAUTHORIZED,
        code: 'invalid_token',
        message: expect.stringContaining('malformed token'),
      });
    }
    // A JWT-shaped token whose payload is not JSON.
    const [header, , signature] = (await idp.sign()).split('.');
    const garbled = `${header}.${Buffer.from('not json').toString('base64url')}.${signature}`;
    await expect(refusal(verifier.verify(garbled))).resolves.toMatchObject({
      code: 'invalid_token',
    });
  });

  it('refuses a token without a subject', async () => {
    const token = await idp.sign({ sub: undefined });
    await expect(refusal(verifier.verify(token))).resolves.toMatchObject({
      code: 'invalid_token',
      message: 'Invalid token: missing sub claim',
    });
  });

  it('follows a key rotation, including tokens without a key id', async () => {
    const rotating = await startOidcIssuer();
    try {
      await rotating.rotateKey();
      const fresh = new OidcVerifier({ issuer: rotating.issuer, audience: rotating.audience });
      await expect(fresh.verify(await rotating.sign({ sub: 'with-kid' }))).resolves.toMatchObject({
        subject: 'with-kid',
      });
      // Two RSA keys published, no kid: each candidate is tried.
      const noKid = await rotating.sign({ sub: 'without-kid' }, { kid: null });
      await expect(fresh.verify(noKid)).resolves.toMatchObject({ subject: 'without-kid' });
      const foreignNoKid = await rotating.sign({}, { foreignKey: true, kid: null });
      await expect(refusal(fresh.verify(foreignNoKid))).resolves.toMatchObject({
        message: 'Invalid token: bad signature',
      });
    } finally {
      await rotating.close();
    }
  });

  it('answers 503, not 401, when the issuer cannot be reached or misdescribes itself', async () => {
    const gone = await startOidcIssuer();
    const token = await gone.sign();
    await gone.close();
    const orphan = new OidcVerifier({ issuer: gone.issuer, audience: gone.audience });
    await expect(refusal(orphan.verify(token))).resolves.toMatchObject({
      status: HttpStatus.SERVICE_UNAVAILABLE,
      code: 'unavailable',
    });

    // Configured with a trailing slash: the discovery document names the issuer without it.
    const misconfigured = new OidcVerifier({ issuer: `${idp.issuer}/`, audience: idp.audience });
    await expect(refusal(misconfigured.verify(await idp.sign()))).resolves.toMatchObject({
      status: HttpStatus.SERVICE_UNAVAILABLE,
    });
    expect(errorLog).toHaveBeenCalledWith(expect.stringContaining('names issuer'));
  });

  describe('looksLikeJwt', () => {
    it('recognises signed and unsigned JWTs', async () => {
      expect(looksLikeJwt(await idp.sign())).toBe(true);
      expect(looksLikeJwt(await idp.sign({}, { foreignKey: true }))).toBe(true);
      expect(looksLikeJwt(idp.unsecured())).toBe(true);
    });

    it('tells OpenAI keys and platform API keys apart', () => {
      expect(looksLikeJwt('sk-proj-Abc123_def456-GHI789jkl012MNO345pqr678STU901vwx')).toBe(false);
      expect(looksLikeJwt('sk-1234567890abcdefghijklmnopqrstuvwxyzABCDEFGH')).toBe(false);
      expect(looksLikeJwt('lab_3f9a1c2e4b5d6f708192a3b4c5d6e7f8')).toBe(false);
    });

    it('refuses look-alikes', () => {
      const b64 = (value: string) => Buffer.from(value).toString('base64url');
      expect(looksLikeJwt('abc.def.ghi')).toBe(false); // header is not JSON
      expect(looksLikeJwt(`${b64('{"typ":"JWT"}')}.e30.sig`)).toBe(false); // no alg
      expect(looksLikeJwt(`${b64('["RS256"]')}.e30.sig`)).toBe(false); // not an object
      expect(looksLikeJwt(`${b64('{"alg":"RS256"}')}.e30`)).toBe(false); // two segments
      expect(looksLikeJwt(`${b64('{"alg":"RSA-OAEP"}')}.a.b.c.d`)).toBe(false); // a JWE
      expect(looksLikeJwt(`${b64('{"alg":"RS256"}')}.e+30.sig`)).toBe(false); // not base64url
      expect(looksLikeJwt('')).toBe(false);
    });
  });
});
