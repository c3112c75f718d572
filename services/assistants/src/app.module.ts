import { type DynamicModule, Module } from '@nestjs/common';
import { schemaTypeOrmModule } from '@lab/platform/database';
import {
  globalProviders,
  INTERNAL_CALLERS,
  READINESS_CHECKS,
  serviceModules,
} from '@lab/platform/http';
import {
  eventConsumerProvider,
  outboxReadiness,
  OutboxRelayLifecycle,
  outboxRelayProvider,
} from '@lab/platform/outbox';
import type { DestinationStream } from 'pino';
import { AssistantsModule } from './assistants/assistants.module';
import { ASSISTANTS_CONFIG, type AssistantsConfig } from './config/assistants.config';
import { ENTITIES, MIGRATIONS } from './database/database';
import { SessionCountersHandler } from './events/session-counters.handler';

@Module({})
export class AppModule {
  static forRoot(config: AssistantsConfig, logStream?: DestinationStream): DynamicModule {
    return {
      module: AppModule,
      imports: [
        globalProviders([
          { provide: ASSISTANTS_CONFIG, useValue: config },
          { provide: INTERNAL_CALLERS, useValue: config.internalTokens },
        ]),
        ...serviceModules({
          name: 'assistants',
          logLevel: config.logLevel,
          ...(logStream ? { logStream } : {}),
        }),
        schemaTypeOrmModule({
          databaseUrl: config.databaseUrl,
          schema: config.databaseSchema,
          entities: ENTITIES,
          migrations: MIGRATIONS,
        }),
        AssistantsModule,
      ],
      providers: [
        outboxRelayProvider({
          brokers: config.kafkaBrokers,
          topic: config.eventsTopic,
          service: 'assistants',
        }),
        { provide: READINESS_CHECKS, inject: [OutboxRelayLifecycle], useFactory: outboxReadiness },
        SessionCountersHandler,
        eventConsumerProvider(
          {
            brokers: config.kafkaBrokers,
            topic: config.eventsTopic,
            handler: SessionCountersHandler,
          },
          'SESSION_COUNTERS_CONSUMER',
        ),
      ],
    };
  }
}
