import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stored responses (OpenAI's Responses API with `store: true`, decision 0022): a response id
 * names the turn of a response-chain session that answered it, and whose it is. `envelope` is
 * the response object's request-side fields and input items, sealed under the owner's data key
 * with the session's scope (it holds the caller's instructions); the reply is the turn's.
 */
export class StoredResponses1765200000000 implements MigrationInterface {
  name = 'StoredResponses1765200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      create table responses (
        id varchar(64) primary key,
        session_id uuid not null references sessions (id) on delete cascade,
        turn_id varchar(128) not null,
        user_id uuid not null,
        envelope text not null,
        finish_reason varchar(32),
        created_at timestamptz not null default now(),
        unique (session_id, turn_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`drop table responses`);
  }
}
