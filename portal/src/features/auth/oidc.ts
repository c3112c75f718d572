/**
 * Sign-in with the organisation's OpenID Connect provider: the authorization code flow with
 * PKCE (S256), done by oauth4webapi. Only the flow's one-time verifier and state wait in
 * sessionStorage across the redirect; the access token it yields is kept in memory like a key.
 */
import * as oauth from 'oauth4webapi';

export interface OidcSettings {
  issuer: string;
  clientId: string;
}

const PENDING = 'lab.oidc.pending';

interface Pending {
  verifier: string;
  state: string;
  returnTo: string;
}

const redirectUri = () => `${window.location.origin}/auth/callback`;

function httpOptions(issuer: URL) {
  // A local issuer (tests, development) speaks plain HTTP on loopback.
  return { [oauth.allowInsecureRequests]: issuer.protocol === 'http:' };
}

async function discover(settings: OidcSettings): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(settings.issuer);
  const response = await oauth.discoveryRequest(issuer, {
    algorithm: 'oidc',
    ...httpOptions(issuer),
  });
  return oauth.processDiscoveryResponse(issuer, response);
}

export async function beginOidcSignIn(settings: OidcSettings, returnTo: string): Promise<void> {
  const server = await discover(settings);
  if (!server.authorization_endpoint) throw new Error('The identity provider has no sign-in page');
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const pending: Pending = { verifier, state, returnTo };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(server.authorization_endpoint);
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', 'openid');
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  window.location.assign(url.href);
}

/** Exchanges the code of the callback URL for an access token. */
export async function completeOidcSignIn(
  settings: OidcSettings,
  callbackUrl: URL,
): Promise<{ accessToken: string; returnTo: string }> {
  const stored = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (!stored) throw new Error('This sign-in link has already been used; sign in again');
  const pending = JSON.parse(stored) as Pending;
  const server = await discover(settings);
  const client: oauth.Client = { client_id: settings.clientId };
  const params = oauth.validateAuthResponse(server, client, callbackUrl, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    server,
    client,
    oauth.None(),
    params,
    redirectUri(),
    pending.verifier,
    httpOptions(new URL(settings.issuer)),
  );
  const tokens = await oauth.processAuthorizationCodeResponse(server, client, response);
  return { accessToken: tokens.access_token, returnTo: pending.returnTo };
}
