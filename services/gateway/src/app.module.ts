import { type DynamicModule, Module } from '@nestjs/common';
import { CALLER_KEYS_TTL_MS, TurnVault } from '@lab/platform';
import { schemaTypeOrmModule } from '@lab/platform/database';
import {
  answers,
  globalProviders,
  READINESS_CHECKS,
  type ReadinessCheck,
  serviceModules,
} from '@lab/platform/http';
import { eventConsumerProvider } from '@lab/platform/outbox';
import { Redis } from 'ioredis';
import type { DestinationStream } from 'pino';
import { AdminGuard, ApiKeysController } from './admin/api-keys.controller';
import { ArchivesController } from './archives/archives.controller';
import { AssistantsController } from './assistants/assistants.controller';
import { LoungeController, VisitorGuard } from './assistants/lounge.controller';
import { ChatCompletionsController } from './compat/chat-completions.controller';
import { ResponsesController } from './compat/responses.controller';
import { GATEWAY_CONFIG, type GatewayConfig } from './config/gateway.config';
import { UserCountersHandler } from './events/user-counters.handler';
import { AuthGuard } from './identity/auth.guard';
import { ApiKeyEntity } from './identity/entities/api-key.entity';
import { IdentityEntity } from './identity/entities/identity.entity';
import { UserEntity } from './identity/entities/user.entity';
import { IdentityService } from './identity/identity.service';
import { UsersRepository } from './identity/users.repository';
import { RateLimitModule } from './limits/rate-limit.module';
import { KeyRotationService } from './me/key-rotation.service';
import { MeController } from './me/me.controller';
import { MeUsageController } from './me/me-usage.controller';
import { CreateIdentities1763800000000 } from './migrations/1763800000000-create-identities';
import { UsageAndEvents1763900000000 } from './migrations/1763900000000-usage-and-events';
import { ApiKeySpendCaps1764000000000 } from './migrations/1764000000000-api-key-spend-caps';
import { PreviousWrappedDataKey1765200000000 } from './migrations/1765200000000-previous-wrapped-data-key';
import { OpsController } from './ops/ops.controller';
import { OpsRepository } from './ops/ops.repository';
import { OpsMetricsService } from './ops/ops-metrics';
import { SpendCapGuard } from './spend/spend-cap.guard';
import { SpendCapsRepository } from './spend/spend-caps.repository';
import { SpendService } from './spend/spend.service';
import { GATEWAY_REDIS } from './redis';
import { SessionsController } from './sessions/sessions.controller';
import { ASSISTANTS, SESSIONS, Upstream } from './upstream/upstream';
import { UsageRollupHandler } from './usage/usage-rollup.handler';
import { UsageRepository } from './usage/usage.repository';

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, logStream?: DestinationStream): DynamicModule {
    return {
      module: AppModule,
      imports: [
        globalProviders([
          { provide: GATEWAY_CONFIG, useValue: config },
          {
            provide: GATEWAY_REDIS,
            useFactory: () => new Redis(config.redisUrl, { maxRetriesPerRequest: 2 }),
          },
        ]),
        ...serviceModules({
          name: 'gateway',
          logLevel: config.logLevel,
          ...(logStream ? { logStream } : {}),
        }),
        schemaTypeOrmModule({
          databaseUrl: config.databaseUrl,
          schema: config.databaseSchema,
          entities: [UserEntity, IdentityEntity, ApiKeyEntity],
          migrations: [
            CreateIdentities1763800000000,
            UsageAndEvents1763900000000,
            ApiKeySpendCaps1764000000000,
            PreviousWrappedDataKey1765200000000,
          ],
          poolSize: 20,
        }),
        RateLimitModule.forRoot({
          redisToken: GATEWAY_REDIS,
          prefix: `${config.redisPrefix}rate:`,
          ...config.rateLimit,
          tokens: { prefix: `${config.redisPrefix}rate-tokens:`, ...config.tokenRateLimit },
        }),
      ],
      controllers: [
        MeController,
        MeUsageController,
        AssistantsController,
        LoungeController,
        SessionsController,
        ArchivesController,
        ChatCompletionsController,
        ResponsesController,
        ApiKeysController,
        OpsController,
      ],
      providers: [
        UsersRepository,
        IdentityService,
        KeyRotationService,
        AuthGuard,
        UsageRepository,
        SpendCapsRepository,
        SpendService,
        SpendCapGuard,
        OpsRepository,
        OpsMetricsService,
        UserCountersHandler,
        UsageRollupHandler,
        ...[UserCountersHandler, UsageRollupHandler].map((handler) =>
          eventConsumerProvider(
            { brokers: config.kafkaBrokers, topic: config.eventsTopic, handler },
            `CONSUMER_${handler.name}`,
          ),
        ),
        AdminGuard,
        VisitorGuard,
        {
          provide: ASSISTANTS,
          useFactory: () =>
            new Upstream('assistants', config.assistantsUrl, config.assistantsToken),
        },
        {
          provide: SESSIONS,
          useFactory: (redis: Redis) =>
            new Upstream(
              'sessions',
              config.sessionsUrl,
              config.sessionsToken,
              new TurnVault(redis, config.turnVaultKey, { ttlMs: CALLER_KEYS_TTL_MS }),
            ),
          inject: [GATEWAY_REDIS],
        },
        {
          // Not required: rate limits fail open without Redis, and a gateway taken out of
          // rotation for a service behind it would only turn its 503s into refused connections.
          provide: READINESS_CHECKS,
          inject: [GATEWAY_REDIS],
          useFactory: (redis: Redis): ReadinessCheck[] => [
            { name: 'redis', required: false, check: () => redis.ping() },
            {
              name: 'sessions',
              required: false,
              check: answers(new URL('/healthz', config.sessionsUrl).href),
            },
            {
              name: 'assistants',
              required: false,
              check: answers(new URL('/healthz', config.assistantsUrl).href),
            },
          ],
        },
        {
          provide: 'REDIS_SHUTDOWN',
          useFactory: (redis: Redis) => ({ onApplicationShutdown: () => redis.quit() }),
          inject: [GATEWAY_REDIS],
        },
      ],
    };
  }
}
