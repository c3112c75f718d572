/**
 * 405 `method_not_allowed` (with `Allow`) for a path the API has, asked with a method it does
 * not take (TRACE, or DELETE on a read-only route); Express alone would answer 404. The routes
 * come from the OpenAPI document, the one list of what the API serves. HEAD goes with GET. A
 * literal path wins over a template (`PATCH /v1/assistants/mine` is 405, not an invalid id).
 */
import type { OpenAPIObject } from '@nestjs/swagger';
import type { RequestHandler } from 'express';

interface Route {
  pattern: RegExp;
  allow: string[];
  /** No path parameter: `/v1/assistants/mine` is that route, not `/v1/assistants/{id}`. */
  literal: boolean;
}

export function routesOf(document: OpenAPIObject): Route[] {
  return Object.entries(document.paths).map(([path, item]) => {
    const methods = Object.keys(item)
      .filter((key) => ['get', 'put', 'post', 'delete', 'patch'].includes(key))
      .map((method) => method.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD');
    const source = path
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
      .join('[^/]+');
    return { pattern: new RegExp(`^${source}/?$`), allow: methods, literal: !path.includes('{') };
  });
}

export function methodNotAllowed(document: OpenAPIObject): RequestHandler {
  const routes = routesOf(document);
  return (req, res, next) => {
    const candidates = routes.filter((route) => route.pattern.test(req.path));
    const literal = candidates.filter((route) => route.literal);
    const matching = literal.length > 0 ? literal : candidates;
    if (matching.length === 0 || matching.some((route) => route.allow.includes(req.method))) {
      next();
      return;
    }
    const allow = [...new Set(matching.flatMap((route) => route.allow))];
    res.setHeader('allow', allow.join(', '));
    res.status(405).json({
      error: {
        code: 'method_not_allowed',
        message: `${req.method} is not allowed here; allowed: ${allow.join(', ')}`,
      },
    });
  };
}
