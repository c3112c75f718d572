/**
 * The modules every service's AppModule imports: pino request logging with secrets redacted
 * (bodies are never logged), Prometheus `/metrics` (with `http_request_duration_seconds` for every
 * request, see request-metrics.ts), `/healthz` and `/readyz`, the error model and
 * DTO validation; and its validated configuration made injectable everywhere.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { HttpErrorFilter } from './error-filter';
import { HealthController } from './health.controller';
import { RequestMetricsModule } from './request-metrics';
import { createValidationPipe } from './validation';

/** Headers that carry secrets, key material or what a user's file is called or hashes to. */
export const REDACTED_HEADERS = [
  'req.headers.authorization',
  'req.headers["x-internal-token"]',
  'req.headers["x-key-ref"]',
  'req.headers.cookie',
  'req.headers["x-filename"]',
  'req.headers["x-checksum-sha256"]',
  'res.headers["content-disposition"]',
  'res.headers["x-checksum-sha256"]',
];

const QUIET_PATHS = ['/healthz', '/readyz', '/metrics'];
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id: the caller's `x-request-id` when it is a sane one (the gateway's, passed to
 * the services, so one id names a request across them), else a new one; answered back.
 */
function requestId(request: IncomingMessage, response: ServerResponse): string {
  const given = request.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  response.setHeader('x-request-id', id);
  return id;
}

export interface ServiceModulesOptions {
  name: string;
  logLevel: string;
  logStream?: DestinationStream;
}

export function serviceModules(options: ServiceModulesOptions): DynamicModule[] {
  return [
    LoggerModule.forRoot({
      pinoHttp: [
        {
          level: options.logLevel,
          name: options.name,
          redact: { paths: REDACTED_HEADERS, censor: '[redacted]' },
          autoLogging: { ignore: (req) => QUIET_PATHS.includes(req.url ?? '') },
          genReqId: requestId,
        },
        options.logStream ?? process.stdout,
      ],
    }),
    PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } }),
    { module: RequestMetricsModule },
    {
      module: ServiceHttpModule,
      controllers: [HealthController],
      providers: [
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    },
  ];
}

/** Probes, the error model and validation at the edge, for the whole application. */
@Module({})
class ServiceHttpModule {}

@Global()
@Module({})
class ServiceConfigModule {}

/** Makes the given providers (the configuration and what derives from it) injectable everywhere. */
export function globalProviders(providers: Provider[]): DynamicModule {
  const tokens = providers.map((p) => (typeof p === 'function' ? p : p.provide));
  return { module: ServiceConfigModule, providers, exports: tokens };
}
