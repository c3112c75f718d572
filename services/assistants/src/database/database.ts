/** The assistants service's entities and migrations, in its own schema (see @lab/platform/database). */
import { OutboxEventEntity } from '@lab/platform/outbox';
import { AssistantEntity } from '../assistants/entities/assistant.entity';
import { ModelConfigVersionEntity } from '../assistants/entities/model-config-version.entity';
import { PromptVersionEntity } from '../assistants/entities/prompt-version.entity';
import { CreateAssistants1763600000000 } from '../migrations/1763600000000-create-assistants';
import { ProcessedEvents1763900000000 } from '../migrations/1763900000000-processed-events';
import { GuardSettings1764600000000 } from '../migrations/1764600000000-guard-settings';
import { SealedPrompts1765000000000 } from '../migrations/1765000000000-sealed-prompts';

export const ENTITIES = [
  AssistantEntity,
  PromptVersionEntity,
  ModelConfigVersionEntity,
  OutboxEventEntity,
];
export const MIGRATIONS = [
  CreateAssistants1763600000000,
  ProcessedEvents1763900000000,
  GuardSettings1764600000000,
  SealedPrompts1765000000000,
];
