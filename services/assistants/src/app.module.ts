import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  HealthController,
  HttpErrorFilter,
  INTERNAL_CALLERS,
  createValidationPipe,
} from '@lab/platform/http';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AssistantsModule } from './assistants/assistants.module';
import { ASSISTANTS_CONFIG, type AssistantsConfig } from './config/assistants.config';
import { ensureSchema, schemaDataSourceOptions } from '@lab/platform/database';
import { ENTITIES, MIGRATIONS } from './database/database';

/** Makes the validated configuration injectable everywhere. */
@Global()
@Module({})
class ConfigHolderModule {
  static forRoot(config: AssistantsConfig): DynamicModule {
    return {
      module: ConfigHolderModule,
      providers: [
        { provide: ASSISTANTS_CONFIG, useValue: config },
        { provide: INTERNAL_CALLERS, useValue: config.internalTokens },
      ],
      exports: [ASSISTANTS_CONFIG, INTERNAL_CALLERS],
    };
  }
}

/** Secrets and identities never reach the log; bodies (and so prompts) are never logged. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-internal-token"]',
  'req.headers.cookie',
  'req.headers["x-openai-key"]',
];

@Module({})
export class AppModule {
  static forRoot(config: AssistantsConfig, logStream?: DestinationStream): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigHolderModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: [
            {
              level: config.logLevel,
              name: 'assistants',
              redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
              autoLogging: {
                ignore: (req) => ['/healthz', '/readyz', '/metrics'].includes(req.url ?? ''),
              },
            },
            logStream ?? process.stdout,
          ],
        }),
        TypeOrmModule.forRootAsync({
          useFactory: async () => {
            await ensureSchema(config.databaseUrl, config.databaseSchema);
            return schemaDataSourceOptions({
              databaseUrl: config.databaseUrl,
              schema: config.databaseSchema,
              entities: ENTITIES,
              migrations: MIGRATIONS,
            });
          },
        }),
        PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } }),
        TerminusModule,
        AssistantsModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
