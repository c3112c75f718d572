import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Prompts encrypted at rest (decision 0017): each prompt version gets its wrapped data key; its
 * prompt columns hold ciphertext from then on. Rows written before stay plaintext (no key here)
 * until the service seals them at start-up (PromptKeyMaintenance), the same pass that moves data
 * keys to the current PROMPT_KEYS key after a rotation. A sealed row's old plaintext lingers in
 * dead tuples and the WAL until VACUUM and WAL recycling (docs/operations.md).
 */
export class SealedPrompts1765000000000 implements MigrationInterface {
  name = 'SealedPrompts1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`alter table prompt_versions add column wrapped_key text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`alter table prompt_versions drop column wrapped_key`);
  }
}
