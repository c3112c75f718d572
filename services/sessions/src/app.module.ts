import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ensureSchema, schemaDataSourceOptions } from '@lab/platform/database';
import {
  createValidationPipe,
  HealthController,
  HttpErrorFilter,
  INTERNAL_CALLERS,
} from '@lab/platform/http';
import { OutboxEventEntity } from '@lab/platform/outbox';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { Redis } from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AssistantsClient } from './assistants/assistants.client';
import { SESSIONS_CONFIG, type SessionsConfig } from './config/sessions.config';
import { LabController } from './lab/lab.controller';
import { CreateSessions1763700000000 } from './migrations/1763700000000-create-sessions';
import { MessageEntity } from './sessions/entities/message.entity';
import { SessionEntity } from './sessions/entities/session.entity';
import { TurnEntity } from './sessions/entities/turn.entity';
import { SessionsController } from './sessions/sessions.controller';
import { SessionsRepository } from './sessions/sessions.repository';
import { SessionsService } from './sessions/sessions.service';
import { TurnKeyVault } from './turns/key-vault';
import { TurnActivities } from './turns/turn-activities';
import { TurnRunner } from './turns/turn-runner';
import { TurnStreams } from './turns/turn-streams';
import { SessionsWorker } from './turns/sessions-worker';

const REDIS = Symbol('REDIS');

/** Secrets and key material never reach the log; bodies (and so messages) are never logged. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-internal-token"]',
  'req.headers["x-data-key"]',
  'req.headers.cookie',
];

@Global()
@Module({})
class ConfigHolderModule {
  static forRoot(config: SessionsConfig): DynamicModule {
    return {
      module: ConfigHolderModule,
      providers: [
        { provide: SESSIONS_CONFIG, useValue: config },
        { provide: INTERNAL_CALLERS, useValue: config.internalTokens },
      ],
      exports: [SESSIONS_CONFIG, INTERNAL_CALLERS],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: SessionsConfig, logStream?: DestinationStream): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigHolderModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: [
            {
              level: config.logLevel,
              name: 'sessions',
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
              entities: [SessionEntity, MessageEntity, TurnEntity, OutboxEventEntity],
              migrations: [CreateSessions1763700000000],
              poolSize: 20,
            });
          },
        }),
        PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } }),
        TerminusModule,
      ],
      controllers: [HealthController, SessionsController, LabController],
      providers: [
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        {
          provide: REDIS,
          useFactory: () => new Redis(config.redisUrl, { maxRetriesPerRequest: 3 }),
        },
        {
          provide: TurnKeyVault,
          useFactory: (redis: Redis) => new TurnKeyVault(redis, config.vaultKey),
          inject: [REDIS],
        },
        AssistantsClient,
        SessionsRepository,
        SessionsService,
        TurnActivities,
        TurnRunner,
        TurnStreams,
        SessionsWorker,
        {
          provide: 'REDIS_SHUTDOWN',
          useFactory: (redis: Redis) => ({ onApplicationShutdown: () => redis.quit() }),
          inject: [REDIS],
        },
      ],
    };
  }
}
