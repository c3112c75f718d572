import { createOutboxTable } from '@lab/platform/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions pinned to an assistant version, their messages and turns (text columns hold
 * ciphertext only: AES-256-GCM under the user's data key), and the transactional outbox.
 */
export class CreateSessions1763700000000 implements MigrationInterface {
  name = 'CreateSessions1763700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      create table sessions (
        id uuid primary key,
        seq bigserial not null unique,
        user_id uuid not null,
        assistant_id uuid not null,
        prompt_version_id uuid not null,
        model_config_version_id uuid not null,
        status varchar(16) not null default 'active' check (status in ('active', 'ended')),
        turn_in_progress varchar(128),
        turn_started_at timestamptz,
        message_count integer not null default 0,
        turn_count integer not null default 0,
        prompt_tokens bigint not null default 0,
        completion_tokens bigint not null default 0,
        guard_hits integer not null default 0,
        payload text not null,
        recap text,
        created_at timestamptz not null default now(),
        modified_at timestamptz not null default now(),
        ended_at timestamptz
      )`);
    await db.query(
      `create index sessions_user_assistant_idx on sessions (user_id, assistant_id, seq desc)`,
    );
    await db.query(`create index sessions_user_idx on sessions (user_id, seq desc)`);
    await db.query(`
      create table messages (
        id uuid primary key default gen_random_uuid(),
        session_id uuid not null references sessions (id) on delete cascade,
        position integer not null,
        role varchar(16) not null check (role in ('user', 'assistant')),
        content text not null,
        turn_id varchar(128) not null,
        created_at timestamptz not null default now(),
        unique (session_id, position)
      )`);
    await db.query(`
      create table turns (
        session_id uuid not null references sessions (id) on delete cascade,
        turn_id varchar(128) not null,
        reply text not null,
        guard_hit boolean not null,
        prompt_tokens integer not null,
        completion_tokens integer not null,
        model varchar(64) not null,
        condensed varchar(16) not null,
        latency_ms integer not null,
        created_at timestamptz not null default now(),
        primary key (session_id, turn_id)
      )`);
    await createOutboxTable(db);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('drop table outbox');
    await db.query('drop table turns');
    await db.query('drop table messages');
    await db.query('drop table sessions');
  }
}
