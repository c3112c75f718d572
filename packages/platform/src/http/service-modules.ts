/**
 * The modules every service's AppModule imports: pino request logging with secrets redacted
 * (bodies are never logged), Prometheus `/metrics`, health checks, and its validated
 * configuration made injectable everywhere.
 */
import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';

/** Headers that carry secrets or key material. */
export const REDACTED_HEADERS = [
  'req.headers.authorization',
  'req.headers["x-internal-token"]',
  'req.headers["x-data-key"]',
  'req.headers["x-openai-key"]',
  'req.headers.cookie',
];

const QUIET_PATHS = ['/healthz', '/readyz', '/metrics'];

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
        },
        options.logStream ?? process.stdout,
      ],
    }),
    PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } }),
    { module: TerminusModule },
  ];
}

@Global()
@Module({})
class ServiceConfigModule {}

/** Makes the given providers (the configuration and what derives from it) injectable everywhere. */
export function globalProviders(providers: Provider[]): DynamicModule {
  const tokens = providers.map((p) => (typeof p === 'function' ? p : p.provide));
  return { module: ServiceConfigModule, providers, exports: tokens };
}
