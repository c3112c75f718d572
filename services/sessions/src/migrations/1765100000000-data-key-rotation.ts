import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Key rotation (decision 0021): each session names the data key its rows and objects are under
 * (`data_key_id`, null: the user's first key), so a reader during a rotation opens it with the
 * matching key; a session is moved to the new key in one transaction, all its rows together.
 * `key_rotations` is a rotation's progress and cursor: a killed worker resumes from it.
 */
export class DataKeyRotation1765100000000 implements MigrationInterface {
  name = 'DataKeyRotation1765100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`alter table sessions add column data_key_id varchar(16)`);
    await db.query(`
      create table key_rotations (
        user_id uuid not null,
        to_key_id varchar(16) not null,
        state varchar(16) not null default 'running',
        done integer not null default 0,
        total integer not null,
        cursor uuid,
        started_at timestamptz not null default now(),
        finished_at timestamptz,
        primary key (user_id, to_key_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`drop table key_rotations`);
    await db.query(`alter table sessions drop column data_key_id`);
  }
}
