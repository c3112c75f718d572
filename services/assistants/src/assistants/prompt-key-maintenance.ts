/**
 * At start-up, before serving: seals the prompt versions still in plaintext and re-wraps the data
 * keys of those wrapped by an older PROMPT_KEYS key (a rotation), so that, once it has run, the
 * old key can leave the ring. Idempotent; every replica runs it, harmlessly.
 */
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AssistantsRepository } from './assistants.repository';

@Injectable()
export class PromptKeyMaintenance implements OnApplicationBootstrap {
  private readonly logger = new Logger(PromptKeyMaintenance.name);

  constructor(private readonly repository: AssistantsRepository) {}

  async onApplicationBootstrap(): Promise<void> {
    const { sealed, rewrapped } = await this.repository.maintainPromptKeys();
    if (sealed + rewrapped > 0)
      this.logger.log(`prompt versions: ${sealed} sealed, ${rewrapped} moved to the current key`);
  }
}
