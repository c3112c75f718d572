import { createOutboxTable } from '@lab/platform/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Assistants with versioned prompts and model configs, and the transactional outbox. */
export class CreateAssistants1763600000000 implements MigrationInterface {
  name = 'CreateAssistants1763600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      create table assistants (
        id uuid primary key default gen_random_uuid(),
        seq bigserial not null unique,
        code varchar(12) not null unique,
        name varchar(80) not null,
        tag_line varchar(160) not null,
        description text not null,
        session_type varchar(16) not null check (session_type in ('brainstorm', 'coach')),
        creator_id uuid not null,
        showcased boolean not null default false,
        active boolean not null default true,
        guard_threshold real not null default 0.65 check (guard_threshold > 0 and guard_threshold <= 1),
        active_prompt_version_id uuid,
        active_model_config_version_id uuid,
        sessions_started integer not null default 0,
        sessions_ended integer not null default 0,
        version integer not null default 1,
        created_at timestamptz not null default now(),
        modified_at timestamptz not null default now(),
        search tsvector generated always as (
          to_tsvector('english', name || ' ' || tag_line)
        ) stored
      )`);
    await db.query(`create index assistants_search_idx on assistants using gin (search)`);
    await db.query(`create index assistants_creator_idx on assistants (creator_id, seq desc)`);
    await db.query(
      `create index assistants_lounge_idx on assistants (seq desc) where showcased and active`,
    );
    await db.query(`
      create table prompt_versions (
        id uuid primary key default gen_random_uuid(),
        assistant_id uuid not null references assistants (id) on delete cascade,
        number integer not null,
        initial_prompt text not null,
        summary_prompt text not null,
        sessions_started integer not null default 0,
        sessions_ended integer not null default 0,
        created_at timestamptz not null default now(),
        unique (assistant_id, number)
      )`);
    await db.query(`
      create table model_config_versions (
        id uuid primary key default gen_random_uuid(),
        assistant_id uuid not null references assistants (id) on delete cascade,
        number integer not null,
        model varchar(64) not null,
        max_tokens integer not null check (max_tokens > 0),
        temperature real not null check (temperature between 0 and 2),
        top_p real not null check (top_p between 0 and 1),
        frequency_penalty real not null check (frequency_penalty between -2 and 2),
        presence_penalty real not null check (presence_penalty between -2 and 2),
        created_at timestamptz not null default now(),
        unique (assistant_id, number)
      )`);
    await db.query(`
      alter table assistants
        add constraint assistants_active_prompt_fk foreign key (active_prompt_version_id)
          references prompt_versions (id) deferrable initially deferred,
        add constraint assistants_active_model_config_fk foreign key (active_model_config_version_id)
          references model_config_versions (id) deferrable initially deferred`);
    await createOutboxTable(db);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`drop table outbox`);
    await db.query(`alter table assistants drop constraint assistants_active_prompt_fk`);
    await db.query(`alter table assistants drop constraint assistants_active_model_config_fk`);
    await db.query(`drop table model_config_versions`);
    await db.query(`drop table prompt_versions`);
    await db.query(`drop table assistants`);
  }
}
