import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Session workflows (decision 0014): the turn a session is answering is its workflow's state, so
 * the row's claim columns go; a turn keeps the fingerprint of its request, so a repeated
 * Idempotency-Key with another body is refused.
 */
export class SessionWorkflows1764100000000 implements MigrationInterface {
  name = 'SessionWorkflows1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `alter table sessions drop column turn_in_progress, drop column turn_started_at`,
    );
    await db.query(`alter table turns add column request_hash varchar(64)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`alter table turns drop column request_hash`);
    await db.query(
      `alter table sessions add column turn_in_progress varchar(128), add column turn_started_at timestamptz`,
    );
  }
}
