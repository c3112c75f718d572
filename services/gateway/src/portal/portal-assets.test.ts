import { contentSecurityPolicy, isPortalPath } from './portal-assets';

describe('the portal beside the API', () => {
  it('leaves the API, its docs, metrics and health checks alone', () => {
    for (const path of [
      '/v1/me',
      '/v1',
      '/docs',
      '/docs/swagger-ui.css',
      '/openapi.json',
      '/metrics',
      '/healthz',
      '/readyz',
    ]) {
      expect(isPortalPath(path)).toBe(false);
    }
    for (const path of [
      '/',
      '/lounge',
      '/sessions/abc',
      '/assets/index-1a2b.js',
      '/portal-config.json',
    ]) {
      expect(isPortalPath(path)).toBe(true);
    }
  });

  it('allows scripts and styles from this origin only, and the OIDC issuer for the code exchange', () => {
    const strict = contentSecurityPolicy(null);
    expect(strict).toContain("script-src 'self'");
    expect(strict).toContain("connect-src 'self';");
    expect(strict).not.toMatch(/unsafe-(inline|eval)/);
    expect(strict).toContain("frame-ancestors 'none'");
    expect(contentSecurityPolicy('https://id.example.com/realms/lab')).toContain(
      "connect-src 'self' https://id.example.com;",
    );
  });
});
