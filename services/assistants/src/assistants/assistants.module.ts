import { Module } from '@nestjs/common';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { AssistantsController } from './assistants.controller';
import { AssistantsRepository } from './assistants.repository';
import { ASSISTANTS_CREATED, AssistantsService, VERSIONS_ACTIVATED } from './assistants.service';
import { ASSISTANTS_CONFIG, type AssistantsConfig } from '../config/assistants.config';
import { PROMPT_CIPHER, PromptCipher } from './prompt-cipher';
import { PromptKeyMaintenance } from './prompt-key-maintenance';
import { SnapshotController } from './snapshot.controller';

@Module({
  controllers: [AssistantsController, SnapshotController],
  providers: [
    {
      provide: PROMPT_CIPHER,
      useFactory: (config: AssistantsConfig) => new PromptCipher(config.promptKeys),
      inject: [ASSISTANTS_CONFIG],
    },
    AssistantsRepository,
    PromptKeyMaintenance,
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
