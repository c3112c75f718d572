/**
 * A local OIDC issuer for tests: an HTTP server on 127.0.0.1 (random port) serving the discovery
 * document and the JWKS of a generated RS256 key pair, and signing tokens with it. It can also
 * sign with a foreign key (one it does not publish), rotate to a new key, and make `alg: none`
 * tokens, for the negative cases. It counts the requests it serves, to check caching.
 */
import { randomBytes } from 'node:crypto';
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

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET') return send(405, { error: 'method not allowed' });
    switch (request.url) {
      case `${path}/.well-known/openid-configuration`:
        requests.discovery += 1;
        return send(200, {
          issuer,
          jwks_uri: `${issuer}/jwks`,
          id_token_signing_alg_values_supported: ['RS256'],
          subject_types_supported: ['public'],
          response_types_supported: ['code'],
        });
      case `${path}/jwks`:
        requests.jwks += 1;
        return send(200, { keys: published.map((key) => key.publicJwk) });
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
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
