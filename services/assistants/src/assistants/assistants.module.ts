import { Module } from '@nestjs/common';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { AssistantsController } from './assistants.controller';
import { AssistantsRepository } from './assistants.repository';
import { ASSISTANTS_CREATED, AssistantsService, VERSIONS_ACTIVATED } from './assistants.service';
import { SnapshotController } from './snapshot.controller';

@Module({
  controllers: [AssistantsController, SnapshotController],
  providers: [
    AssistantsRepository,
    AssistantsService,
    makeCounterProvider({ name: ASSISTANTS_CREATED, help: 'Assistants created' }),
    makeCounterProvider({
      name: VERSIONS_ACTIVATED,
      help: 'Prompt and model-config versions activated',
      labelNames: ['kind'],
    }),
  ],
  exports: [AssistantsService],
})
export class AssistantsModule {}
