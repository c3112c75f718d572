import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Archives (where a session's transcript went in object storage, set once it is there) and
 * attachments (metadata; the encrypted bytes are in object storage).
 */
export class ArchivesAndAttachments1763910000000 implements MigrationInterface {
  name = 'ArchivesAndAttachments1763910000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      alter table sessions
        add column ended_reason varchar(16) check (ended_reason in ('user', 'idle')),
        add column archived_at timestamptz,
        add column archive_key text,
        add column archive_size bigint,
        add column archive_sha256 varchar(64)`);
    await db.query(
      `create index sessions_idle_idx on sessions (modified_at) where status = 'active'`,
    );
    await db.query(
      `create index sessions_unarchived_idx on sessions (ended_at) where status = 'ended' and archived_at is null`,
    );
    await db.query(`
      create table attachments (
        id uuid primary key,
        session_id uuid not null references sessions (id) on delete cascade,
        user_id uuid not null,
        name varchar(200) not null,
        content_type varchar(100) not null,
        size integer not null check (size >= 0),
        sha256 varchar(64) not null,
        origin varchar(16) not null check (origin in ('user', 'assistant')),
        turn_id varchar(128),
        object_key text not null,
        created_at timestamptz not null default now()
      )`);
    await db.query(`create index attachments_session_idx on attachments (session_id, created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('drop table attachments');
    await db.query('drop index sessions_unarchived_idx');
    await db.query('drop index sessions_idle_idx');
    await db.query(`
      alter table sessions
        drop column archive_sha256, drop column archive_size, drop column archive_key,
        drop column archived_at, drop column ended_reason`);
  }
}
