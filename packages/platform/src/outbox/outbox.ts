/**
 * Outbox writes. Always called with the transaction's EntityManager, so an event exists exactly
 * when the change it reports was committed.
 */
import { createHash } from 'node:crypto';
import type { EntityManager, QueryRunner } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { OutboxEventEntity } from './outbox-event.entity';

export interface OutboxEvent {
  aggregateType: string;
  aggregateId: string;
  type: string;
  payload: Record<string, unknown>;
  /**
   * A deterministic id (a UUID derived from what the event reports, see `deterministicEventId`)
   * for writers that may run twice outside one transaction (a retried Temporal activity): a second
   * insert with the same id does nothing. Unset: a fresh id.
   */
  id?: string;
}

export async function recordEvent(manager: EntityManager, event: OutboxEvent): Promise<void> {
  if (event.id === undefined) {
    await manager.insert(OutboxEventEntity, event as QueryDeepPartialEntity<OutboxEventEntity>);
    return;
  }
  await manager
    .createQueryBuilder()
    .insert()
    .into(OutboxEventEntity)
    .values(event as QueryDeepPartialEntity<OutboxEventEntity>)
    .orIgnore()
    .execute();
}

/** A UUID (version-5 layout, SHA-256 based) derived from a name: the same name, the same id. */
export function deterministicEventId(name: string): string {
  const bytes = createHash('sha256').update(`outbox-event\0${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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
