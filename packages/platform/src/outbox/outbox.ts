/**
 * Outbox writes. Always called with the transaction's EntityManager, so an event exists exactly
 * when the change it reports was committed.
 */
import type { EntityManager, QueryRunner } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { OutboxEventEntity } from './outbox-event.entity';

export interface OutboxEvent {
  aggregateType: string;
  aggregateId: string;
  type: string;
  payload: Record<string, unknown>;
}

export async function recordEvent(manager: EntityManager, event: OutboxEvent): Promise<void> {
  await manager.insert(OutboxEventEntity, event as QueryDeepPartialEntity<OutboxEventEntity>);
}

/** The outbox table, for a service's migration. */
export async function createOutboxTable(db: QueryRunner): Promise<void> {
  await db.query(`
    create table outbox (
      id uuid primary key default gen_random_uuid(),
      seq bigserial not null unique,
      aggregate_type varchar(32) not null,
      aggregate_id uuid not null,
      type varchar(64) not null,
      payload jsonb not null,
      occurred_at timestamptz not null default now(),
      published_at timestamptz
    )`);
  await db.query(`create index outbox_unpublished_idx on outbox (seq) where published_at is null`);
}
