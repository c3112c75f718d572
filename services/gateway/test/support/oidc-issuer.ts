/**
 * A local OIDC issuer for tests: an HTTP server on 127.0.0.1 (random port) serving the discovery
 * document and the JWKS of a generated RS256 key pair, and signing tokens with it. It can also
 * sign with a foreign key (one it does not publish), rotate to a new key, and make `alg: none`
 * tokens, for the negative cases. It counts the requests it serves, to check caching.
 *
 * For the portal's browser tests it is also a minimal authorization server: `/authorize`
 * signs the person in at once (as `loginAs(sub)`, no page) and redirects back with a code;
 * `/token` exchanges the code for tokens when the PKCE verifier matches the S256 challenge
 * (authorization code + PKCE, public client). Both answer cross-origin, as a real issuer does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  type KeyLike,
  SignJWT,
  UnsecuredJWT,
} from 'jose';

export interface OidcIssuerOptions {
  /** Default `aud` of the tokens it signs (default `lab-gateway`). */
  audience?: string;
  /** A path after the origin, as in `https://idp/realms/lab` (default none). */
  path?: string;
}

export interface SignOptions {
  /** Sign with a key the JWKS does not publish (kid `foreign-…` unless `kid` says otherwise). */
  foreignKey?: boolean;
  /** The header's `kid`: a string to claim any key, `null` to leave it out. */
  kid?: string | null;
}

export interface LocalOidcIssuer {
  /** `http://127.0.0.1:<port>[path]`, the tokens' `iss`. */
  readonly issuer: string;
  readonly audience: string;
  readonly discoveryUrl: string;
  readonly jwksUri: string;
  /** Requests served so far. */
  readonly requests: { discovery: number; jwks: number };
  /**
   * A token signed RS256 with the issuer's current key. Defaults: iss, aud, sub
   * `portal-user-1`, iat now, exp in 5 minutes; `claims` override them, `undefined` removes one.
   */
  sign(claims?: Record<string, unknown>, options?: SignOptions): Promise<string>;
  /** An unsigned `alg: none` token with the same default claims. */
  unsecured(claims?: Record<string, unknown>): string;
  /** Publishes a new key beside the current one and signs with it from now on. */
  rotateKey(): Promise<void>;
  /** The subject `/authorize` signs in from now on (default `portal-user-1`). */
  loginAs(sub: string): void;
  /** Codes exchanged at `/token` so far. */
  readonly exchanges: number;
  close(): Promise<void>;
}

interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  publicJwk: JWK;
}

async function newSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

const newKid = (prefix: string) => `${prefix}-${randomBytes(6).toString('hex')}`;

export async function startOidcIssuer(options: OidcIssuerOptions = {}): Promise<LocalOidcIssuer> {
  const audience = options.audience ?? 'lab-gateway';
  const path = (options.path ?? '').replace(/\/+$/, '');
  const published: SigningKey[] = [await newSigningKey(newKid('issuer'))];
  const foreign = await newSigningKey(newKid('foreign'));
  const requests = { discovery: 0, jwks: 0 };
  let issuer = '';

  let loginSubject = 'portal-user-1';
  let exchanges = 0;
  const codes = new Map<
    string,
    { challenge: string; redirectUri: string; clientId: string; sub: string }
  >();

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' };
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', ...cors });
      response.end(JSON.stringify(body));
    };
    const url = new URL(request.url ?? '/', 'http://issuer.local');
    if (request.method === 'OPTIONS') {
      response.writeHead(204, { ...cors, 'access-control-allow-methods': 'GET, POST' });
      return response.end();
    }
    if (request.method === 'POST' && url.pathname === `${path}/token`) {
      let form = '';
      request.on('data', (chunk: Buffer) => (form += chunk.toString()));
      request.on('end', () => {
        void (async () => {
          const params = new URLSearchParams(form);
          const grant = codes.get(params.get('code') ?? '');
          codes.delete(params.get('code') ?? '');
          const verifier = params.get('code_verifier') ?? '';
          const challenge = createHash('sha256').update(verifier).digest('base64url');
          if (
            params.get('grant_type') !== 'authorization_code' ||
            !grant ||
            grant.challenge !== challenge ||
            grant.redirectUri !== params.get('redirect_uri') ||
            grant.clientId !== params.get('client_id')
          ) {
            return send(400, { error: 'invalid_grant' });
          }
          exchanges += 1;
          const key = published[published.length - 1]!;
          const sign = (claims: Record<string, unknown>) =>
            new SignJWT(claimsWithDefaults(claims))
              .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
              .sign(key.privateKey);
          send(200, {
            access_token: await sign({ sub: grant.sub }),
            id_token: await sign({ sub: grant.sub, aud: grant.clientId }),
            token_type: 'Bearer',
            expires_in: 300,
            scope: 'openid',
          });
        })();
      });
      return;
    }
    if (request.method !== 'GET') return send(405, { error: 'method not allowed' });
    switch (url.pathname) {
      case `${path}/.well-known/openid-configuration`:
        requests.discovery += 1;
        return send(200, {
          issuer,
          jwks_uri: `${issuer}/jwks`,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['none'],
          id_token_signing_alg_values_supported: ['RS256'],
          subject_types_supported: ['public'],
          response_types_supported: ['code'],
        });
      case `${path}/jwks`:
        requests.jwks += 1;
        return send(200, { keys: published.map((key) => key.publicJwk) });
      case `${path}/authorize`: {
        const redirectUri = url.searchParams.get('redirect_uri');
        const challenge = url.searchParams.get('code_challenge');
        if (
          !redirectUri ||
          !challenge ||
          url.searchParams.get('code_challenge_method') !== 'S256' ||
          url.searchParams.get('response_type') !== 'code'
        ) {
          return send(400, { error: 'invalid_request' });
        }
        const code = randomBytes(16).toString('base64url');
        codes.set(code, {
          challenge,
          redirectUri,
          clientId: url.searchParams.get('client_id') ?? '',
          sub: loginSubject,
        });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        const state = url.searchParams.get('state');
        if (state) back.searchParams.set('state', state);
        back.searchParams.set('iss', issuer);
        response.writeHead(302, { location: back.href });
        return response.end();
      }
      default:
        return send(404, { error: 'not found' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;

  const claimsWithDefaults = (claims: Record<string, unknown>): JWTPayload => {
    const now = Math.floor(Date.now() / 1000);
    const merged: Record<string, unknown> = {
      iss: issuer,
      aud: audience,
      sub: 'portal-user-1',
      iat: now,
      exp: now + 300,
      ...claims,
    };
    return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
  };

  return {
    issuer,
    audience,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    jwksUri: `${issuer}/jwks`,
    requests,
    async sign(claims = {}, signOptions = {}) {
      const key = signOptions.foreignKey ? foreign : published[published.length - 1]!;
      const kid = signOptions.kid === undefined ? key.kid : signOptions.kid;
      return new SignJWT(claimsWithDefaults(claims))
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(kid === null ? {} : { kid }) })
        .sign(key.privateKey);
    },
    unsecured(claims = {}) {
      return new UnsecuredJWT(claimsWithDefaults(claims)).encode();
    },
    async rotateKey() {
      published.push(await newSigningKey(newKid('issuer')));
    },
    loginAs(sub: string) {
      loginSubject = sub;
    },
    get exchanges() {
      return exchanges;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
