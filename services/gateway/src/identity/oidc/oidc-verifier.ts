/**
 * Verifies the bearer tokens of people signed in to the portal through OIDC (DESIGN §4): a JWT
 * signed by the issuer with one of the keys it publishes (its JWKS), for this gateway's audience,
 * not expired. The JWKS address comes from configuration or from the issuer's discovery document;
 * keys are fetched once and refetched when a token names a key not seen yet (rotation).
 *
 * A token's fault answers 401 `invalid_token` with the reason; the issuer being unreachable or
 * misconfigured answers 503 `unavailable`: the token may be fine and the client should retry.
 */
import { HttpStatus, Logger } from '@nestjs/common';
import { ApiException } from '@lab/platform/http';
import {
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';

export interface OidcVerifierOptions {
  /** The issuer exactly as it appears in the tokens' `iss` (and its discovery document). */
  issuer: string;
  /** The audience (`aud`) tokens must be issued for: this gateway's client id. */
  audience: string | string[];
  /** The issuer's JWKS; discovered from `${issuer}/.well-known/openid-configuration` when absent. */
  jwksUri?: string;
  /** Signature algorithms accepted; never `none` nor a shared-secret (HS*) algorithm. */
  algorithms?: readonly string[];
  /** Leeway for clocks that disagree, on `exp`, `nbf` and `iat` (default 30 s). */
  clockToleranceSeconds?: number;
  /** Time limit of each request to the issuer (default 5 s). */
  timeoutMs?: number;
}

export interface VerifiedIdentity {
  issuer: string;
  subject: string;
}

/** Asymmetric algorithms only: a token's signature must prove the issuer's private key. */
export const OIDC_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** Longer than any real ID or access token; a cheap bound before any parsing. */
export const MAX_TOKEN_LENGTH = 16_384;
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
const DEFAULT_TIMEOUT_MS = 5_000;
/** After a failed discovery, requests fail fast for this long before it is tried again. */
const DISCOVERY_RETRY_MS = 5_000;

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Whether a bearer credential has the shape of a JWT (JWS compact serialisation): three
 * base64url segments whose first decodes to a JSON header naming an `alg`. Tells a token from
 * an OpenAI key (`sk-…`) or a platform API key (`lab_…`), which have no dots. It says nothing
 * of validity: an `alg: none` token looks like a JWT, and `verify` refuses it.
 */
export function looksLikeJwt(token: string): boolean {
  if (!JWS_COMPACT.test(token)) return false;
  const header = token.slice(0, token.indexOf('.'));
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return (
      typeof parsed === 'object' &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      typeof (parsed as { alg?: unknown }).alg === 'string'
    );
  } catch {
    return false;
  }
}

/** The discovery document's address for an issuer (OpenID Connect Discovery 1.0, §4). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

export class OidcVerifier {
  private readonly logger = new Logger(OidcVerifier.name);
  private readonly algorithms: string[];
  private readonly clockTolerance: number;
  private readonly timeoutMs: number;
  private keySet?: Promise<JWTVerifyGetKey>;
  private keySetFailedAt = 0;

  constructor(private readonly options: OidcVerifierOptions) {
    this.algorithms = [...(options.algorithms ?? OIDC_ALGORITHMS)];
    const unsafe = this.algorithms.filter((alg) => alg === 'none' || alg.startsWith('HS'));
    if (unsafe.length > 0) {
      // A shared-secret algorithm with a public JWKS would let anyone forge tokens.
      throw new Error(`OIDC algorithms must be asymmetric; refusing ${unsafe.join(', ')}`);
    }
    this.clockTolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** The token's issuer and subject, or 401 `invalid_token` (or 503 if the issuer is down). */
  async verify(token: string): Promise<VerifiedIdentity> {
    if (token.length > MAX_TOKEN_LENGTH || !looksLikeJwt(token)) {
      throw invalidToken('malformed token: not a JWT');
    }
    const keys = await this.keys().catch((error: unknown) => {
      throw this.unavailable('OIDC discovery failed', error);
    });
    try {
      const payload = await this.verifySigned(token, keys);
      if (typeof payload.sub !== 'string' || payload.sub === '') {
        throw invalidToken('missing sub claim');
      }
      return { issuer: this.options.issuer, subject: payload.sub };
    } catch (error) {
      if (error instanceof ApiException) throw error;
      const reason = rejectionReason(error);
      if (reason) throw invalidToken(reason);
      throw this.unavailable('OIDC key set unavailable', error);
    }
  }

  private async verifySigned(token: string, keys: JWTVerifyGetKey): Promise<JWTPayload> {
    const options: JWTVerifyOptions = {
      issuer: this.options.issuer,
      audience: this.options.audience,
      algorithms: this.algorithms,
      clockTolerance: this.clockTolerance,
      requiredClaims: ['sub', 'exp'],
    };
    try {
      return (await jwtVerify(token, keys, options)).payload;
    } catch (error) {
      // A token without `kid` while the issuer publishes several keys of its type (during a
      // rotation): jose leaves trying each candidate to the caller.
      if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
      for await (const key of error) {
        try {
          return (await jwtVerify(token, key, options)).payload;
        } catch (attempt) {
          if (!(attempt instanceof errors.JWSSignatureVerificationFailed)) throw attempt;
        }
      }
      throw new errors.JWSSignatureVerificationFailed();
    }
  }

  /** The issuer's key set; discovered once, rediscovered after a failure once the pause is over. */
  private keys(): Promise<JWTVerifyGetKey> {
    if (
      this.keySet &&
      this.keySetFailedAt &&
      Date.now() - this.keySetFailedAt >= DISCOVERY_RETRY_MS
    ) {
      this.keySet = undefined;
      this.keySetFailedAt = 0;
    }
    if (!this.keySet) {
      const pending = this.jwksUri().then((uri) =>
        createRemoteJWKSet(new URL(uri), { timeoutDuration: this.timeoutMs }),
      );
      this.keySet = pending;
      pending.catch(() => {
        if (this.keySet === pending) this.keySetFailedAt = Date.now();
      });
    }
    return this.keySet;
  }

  private async jwksUri(): Promise<string> {
    if (this.options.jwksUri) return this.options.jwksUri;
    const url = discoveryUrl(this.options.issuer);
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    // The document must name the very issuer it was fetched for (Discovery §4.3).
    if (document.issuer !== this.options.issuer) {
      throw new Error(
        `${url} names issuer ${JSON.stringify(document.issuer)}, expected ${JSON.stringify(this.options.issuer)}`,
      );
    }
    if (typeof document.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
    const jwksUri = new URL(document.jwks_uri);
    // Keys over plain HTTP only from an issuer that is itself plain HTTP (a local one).
    if (jwksUri.protocol !== 'https:' && new URL(this.options.issuer).protocol === 'https:') {
      throw new Error(`${url} gives a jwks_uri that is not HTTPS: ${jwksUri.href}`);
    }
    return jwksUri.href;
  }

  private unavailable(what: string, error: unknown): ApiException {
    this.logger.error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    return new ApiException(
      HttpStatus.SERVICE_UNAVAILABLE,
      'unavailable',
      'The identity provider cannot be reached; retry later',
    );
  }
}

function invalidToken(reason: string): ApiException {
  return new ApiException(HttpStatus.UNAUTHORIZED, 'invalid_token', `Invalid token: ${reason}`);
}

/**
 * Why jose refused a token, in words a client can act on; undefined when the failure is not the
 * token's (the key set could not be fetched: a timeout, a network error, a bad answer).
 */
export function rejectionReason(error: unknown): string | undefined {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return `missing ${error.claim} claim`;
    switch (error.claim) {
      case 'aud':
        return 'wrong audience';
      case 'iss':
        return 'wrong issuer';
      case 'nbf':
        return 'token not yet valid';
      default:
        return `invalid ${error.claim} claim`;
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof errors.JWKSNoMatchingKey) {
    return 'bad signature: signed with a key the issuer does not publish';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'signature algorithm not allowed';
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported
  ) {
    return `malformed token: ${error.message}`;
  }
  return undefined;
}
