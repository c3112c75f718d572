import { createProcessedEventsTable } from '@lab/platform/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gateway's consumers (decision 0009): their processed-event table, and the usage rollup per
 * day, user, assistant, model and API key (the nil UUID when the caller was not an API key).
 */
export class UsageAndEvents1763900000000 implements MigrationInterface {
  name = 'UsageAndEvents1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await createProcessedEventsTable(db);
    await db.query(`
      create table usage_daily (
        day date not null,
        user_id uuid not null,
        assistant_id uuid not null,
        model varchar(64) not null,
        api_key_id uuid not null,
        turns integer not null default 0,
        prompt_tokens bigint not null default 0,
        completion_tokens bigint not null default 0,
        cost_usd numeric(20, 10) not null default 0,
        guard_hits integer not null default 0,
        primary key (day, user_id, assistant_id, model, api_key_id)
      )`);
    await db.query(`create index usage_daily_user_idx on usage_daily (user_id, day)`);
    await db.query(`create index usage_daily_api_key_idx on usage_daily (api_key_id, day)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`drop table usage_daily`);
    await db.query(`drop table processed_events`);
  }
}
