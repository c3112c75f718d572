/**
 * What the platform's processes trace automatically: incoming HTTP (Node's http, Express routes
 * and Nest handlers), outgoing HTTP through the global fetch (undici: the openai SDK and
 * service-to-service calls), PostgreSQL and Redis.
 *
 * Privacy (DESIGN.md §4): no bodies or headers are recorded; Redis commands are recorded by name
 * only, since their arguments can be key material (the turn key vault); database spans carry the
 * parameterised SQL, never the values. Probes and `/metrics` make no spans, and database or Redis
 * calls outside any traced operation (pollers, relays) make none either.
 */
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/** Paths answered to orchestrators and scrapers: traced, they would drown the real requests. */
export const UNTRACED_PATHS: readonly string[] = ['/healthz', '/readyz', '/metrics'];

export function platformInstrumentations() {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) => isUntracedPath(request.url),
    }),
    // Route and handler spans; every middleware as a span of its own is noise.
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    new NestInstrumentation(),
    new UndiciInstrumentation(),
    new PgInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({
      requireParentSpan: true,
      dbStatementSerializer: (command) => command,
    }),
  ];
}

export function isUntracedPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?', 1)[0] ?? '';
  return UNTRACED_PATHS.includes(path);
}
