/**
 * The web portal's build served at `/`, on the same origin as `/v1`: hashed assets under
 * `/assets/` cached for a year (`immutable`), `index.html` never cached (`no-cache`), the SPA
 * fallback (any other GET that is not a file gets `index.html`, so client routes load), and a
 * strict Content-Security-Policy on every portal answer: scripts and styles from this origin
 * only, no inline script, no framing. The API, its docs, metrics and health checks are not
 * touched. `/portal-config.json` tells the portal how this deployment signs people in.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { GatewayConfig } from '../config/gateway.config';

/** Paths the portal never answers: they belong to the API and the operators. */
const NOT_PORTAL = ['/v1', '/docs', '/openapi.json', '/metrics', '/health', '/readyz', '/livez'];

const HASHED_ASSETS = '/assets/';

export function contentSecurityPolicy(oidcIssuer: string | null): string {
  // The browser talks to the issuer itself for the PKCE code exchange (and its discovery).
  const issuer = oidcIssuer ? ` ${new URL(oidcIssuer).origin}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob:",
    "font-src 'self'",
    `connect-src 'self'${issuer}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function isPortalPath(path: string): boolean {
  return !NOT_PORTAL.some((prefix) => path === prefix || path.startsWith(prefix));
}

/** Mounts the portal when its build is there; answers whether it did. */
export function mountPortal(app: NestExpressApplication, config: GatewayConfig): boolean {
  const dir = config.portalDir;
  if (!dir || !existsSync(join(dir, 'index.html'))) return false;
  const index = readFileSync(join(dir, 'index.html'));
  const csp = contentSecurityPolicy(config.oidc?.issuer ?? null);
  const portalConfig = JSON.stringify({
    oidc: config.oidc ? { issuer: config.oidc.issuer, clientId: config.oidcClientId } : null,
  });
  const files = express.static(dir, {
    index: false,
    redirect: false,
    setHeaders(response, path) {
      response.setHeader(
        'cache-control',
        path.includes(`${join('/', 'assets', '/')}`)
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
      );
    },
  });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !isPortalPath(request.path)) {
      return next();
    }
    response.setHeader('content-security-policy', csp);
    response.setHeader('x-content-type-options', 'nosniff');
    response.setHeader('referrer-policy', 'no-referrer');
    if (request.path === '/portal-config.json') {
      response.setHeader('cache-control', 'no-cache');
      response.type('application/json').send(portalConfig);
      return;
    }
    files(request, response, (error?: unknown) => {
      if (error) return next(error);
      // A missing hashed asset or file is a 404 in the error model, not the app's page.
      if (request.path.startsWith(HASHED_ASSETS) || extname(request.path) !== '') return next();
      response.setHeader('cache-control', 'no-cache');
      response.type('html').send(index);
    });
  });
  return true;
}
