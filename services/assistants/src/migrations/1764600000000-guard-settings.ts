import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The prompt-leak guard's per-assistant settings beside its threshold (decision 0013): the canary
 * (a secret marker in the system prompt sent to the model) and the optional semantic stage with
 * its own threshold (cosine of sentence embeddings). Both off for every existing assistant.
 */
export class GuardSettings1764600000000 implements MigrationInterface {
  name = 'GuardSettings1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      alter table assistants
        add column guard_canary boolean not null default false,
        add column guard_semantic boolean not null default false,
        add column guard_semantic_threshold real not null default 0.9
          check (guard_semantic_threshold > 0 and guard_semantic_threshold <= 1)
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      alter table assistants
        drop column guard_canary,
        drop column guard_semantic,
        drop column guard_semantic_threshold
    `);
  }
}
