import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users (no personal data), the one-way identities that find them, and platform API keys. */
export class CreateIdentities1763800000000 implements MigrationInterface {
  name = 'CreateIdentities1763800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      create table users (
        id uuid primary key,
        key_mode varchar(16) not null check (key_mode in ('byok', 'platform')),
        wrapped_data_key text not null,
        key_salt varchar(64) not null,
        sessions_started integer not null default 0,
        sessions_ended integer not null default 0,
        assistants_created integer not null default 0,
        created_at timestamptz not null default now()
      )`);
    await db.query(`
      create table identities (
        id uuid primary key default gen_random_uuid(),
        user_id uuid not null references users (id),
        kind varchar(16) not null check (kind in ('byok', 'oidc')),
        lookup varchar(128) not null,
        created_at timestamptz not null default now(),
        unique (kind, lookup)
      )`);
    await db.query(`create index identities_user_idx on identities (user_id)`);
    await db.query(`
      create table api_keys (
        id uuid primary key default gen_random_uuid(),
        user_id uuid not null references users (id),
        name varchar(100) not null,
        prefix varchar(16) not null,
        hash varchar(64) not null unique,
        scopes text[] not null,
        created_at timestamptz not null default now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await db.query(`create index api_keys_user_idx on api_keys (user_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`drop table api_keys`);
    await db.query(`drop table identities`);
    await db.query(`drop table users`);
  }
}
