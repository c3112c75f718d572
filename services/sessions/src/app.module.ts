import { type DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { schemaTypeOrmModule } from '@lab/platform/database';
import { TurnVault } from '@lab/platform';
import {
  answers,
  globalProviders,
  INTERNAL_CALLERS,
  READINESS_CHECKS,
  type ReadinessCheck,
  serviceModules,
} from '@lab/platform/http';
import {
  OutboxEventEntity,
  outboxReadiness,
  OutboxRelayLifecycle,
  outboxRelayProvider,
} from '@lab/platform/outbox';
import { Redis } from 'ioredis';
import { REDIS } from './config/redis.token';
import type { DestinationStream } from 'pino';
import { ArchivesController } from './archives/archives.controller';
import { ArchivesRepository } from './archives/archives.repository';
import { ArchivesService } from './archives/archives.service';
import { IdleArchiveSchedule } from './archives/idle-schedule';
import { AssistantsClient } from './assistants/assistants.client';
import { AttachmentsController } from './attachments/attachments.controller';
import { AttachmentsRepository } from './attachments/attachments.repository';
import { AttachmentsService } from './attachments/attachments.service';
import { CompletionsController } from './completions/completions.controller';
import { CompletionsService } from './completions/completions.service';
import { SESSIONS_CONFIG, type SessionsConfig } from './config/sessions.config';
import { LabController } from './lab/lab.controller';
import { CreateSessions1763700000000 } from './migrations/1763700000000-create-sessions';
import { ArchivesAndAttachments1763910000000 } from './migrations/1763910000000-archives-and-attachments';
import { SessionWorkflows1764100000000 } from './migrations/1764100000000-session-workflows';
import { SealedAttachmentNames1765000000000 } from './migrations/1765000000000-sealed-attachment-names';
import { DataKeyRotation1765100000000 } from './migrations/1765100000000-data-key-rotation';
import { StoredResponses1765200000000 } from './migrations/1765200000000-stored-responses';
import { StoredResponseEntity } from './responses/entities/stored-response.entity';
import { ResponsesController } from './responses/responses.controller';
import { ResponsesRepository } from './responses/responses.repository';
import { ResponsesService } from './responses/responses.service';
import { RotationController } from './rotation/rotation.controller';
import { RotationRepository } from './rotation/rotation.repository';
import { RotationService } from './rotation/rotation.service';
import { AttachmentEntity } from './sessions/entities/attachment.entity';
import { MessageEntity } from './sessions/entities/message.entity';
import { SessionEntity } from './sessions/entities/session.entity';
import { TurnEntity } from './sessions/entities/turn.entity';
import { SessionsController } from './sessions/sessions.controller';
import { SessionsRepository } from './sessions/sessions.repository';
import { SessionsService } from './sessions/sessions.service';
import { TurnActivities } from './turns/turn-activities';
import { TurnRunner } from './turns/turn-runner';
import { TurnStreams } from './turns/turn-streams';
import { CallerKeysInterceptor } from './sessions/caller-keys.interceptor';
import { SessionsWorker } from './turns/sessions-worker';
import { TemporalConnection } from './turns/temporal';
import { ExchangesService } from './turns/exchanges.service';
import { OBJECT_STORE, ObjectStore } from './storage/object-store';

@Module({})
export class AppModule {
  static forRoot(config: SessionsConfig, logStream?: DestinationStream): DynamicModule {
    return {
      module: AppModule,
      imports: [
        globalProviders([
          { provide: SESSIONS_CONFIG, useValue: config },
          { provide: INTERNAL_CALLERS, useValue: config.internalTokens },
        ]),
        ...serviceModules({
          name: 'sessions',
          logLevel: config.logLevel,
          ...(logStream ? { logStream } : {}),
        }),
        schemaTypeOrmModule({
          databaseUrl: config.databaseUrl,
          schema: config.databaseSchema,
          entities: [
            SessionEntity,
            MessageEntity,
            TurnEntity,
            AttachmentEntity,
            StoredResponseEntity,
            OutboxEventEntity,
          ],
          migrations: [
            CreateSessions1763700000000,
            ArchivesAndAttachments1763910000000,
            SessionWorkflows1764100000000,
            SealedAttachmentNames1765000000000,
            DataKeyRotation1765100000000,
            StoredResponses1765200000000,
          ],
          poolSize: 20,
        }),
      ],
      controllers: [
        SessionsController,
        LabController,
        CompletionsController,
        ResponsesController,
        ArchivesController,
        AttachmentsController,
        RotationController,
      ],
      providers: [
        { provide: APP_INTERCEPTOR, useClass: CallerKeysInterceptor },
        outboxRelayProvider({
          brokers: config.kafkaBrokers,
          topic: config.eventsTopic,
          service: 'sessions',
        }),
        {
          provide: REDIS,
          useFactory: () => new Redis(config.redisUrl, { maxRetriesPerRequest: 3 }),
        },
        {
          provide: TurnVault,
          useFactory: (redis: Redis) => new TurnVault(redis, config.turnVaultKey),
          inject: [REDIS],
        },
        {
          provide: OBJECT_STORE,
          useFactory: () => (config.storage ? new ObjectStore(config.storage) : null),
        },
        ArchivesRepository,
        ArchivesService,
        IdleArchiveSchedule,
        AttachmentsRepository,
        AttachmentsService,
        AssistantsClient,
        SessionsRepository,
        SessionsService,
        CompletionsService,
        ResponsesRepository,
        ResponsesService,
        TurnActivities,
        RotationRepository,
        RotationService,
        TemporalConnection,
        TurnRunner,
        ExchangesService,
        TurnStreams,
        SessionsWorker,
        {
          provide: READINESS_CHECKS,
          inject: [TemporalConnection, REDIS, OutboxRelayLifecycle],
          useFactory: (
            temporal: TemporalConnection,
            redis: Redis,
            relay: OutboxRelayLifecycle,
          ): ReadinessCheck[] => [
            {
              name: 'temporal',
              check: async () => (await temporal.connection()).workflowService.getSystemInfo({}),
            },
            { name: 'redis', check: () => redis.ping() },
            // Archives and attachments only: turns go on without it.
            ...(config.storage
              ? [
                  {
                    name: 'object-storage',
                    required: false,
                    check: answers(config.storage.endpoint),
                  },
                ]
              : []),
            ...outboxReadiness(relay),
          ],
        },
        {
          provide: 'REDIS_SHUTDOWN',
          useFactory: (redis: Redis) => ({ onApplicationShutdown: () => redis.quit() }),
          inject: [REDIS],
        },
      ],
    };
  }
}
