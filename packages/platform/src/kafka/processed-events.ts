/**
 * The processed-event table of a consuming service: one row per (consumer, event id), written in
 * the same transaction as the effect of the event, so a redelivered event changes nothing.
 */
import type { EntityManager, QueryRunner } from 'typeorm';

/** For a service's migration. */
export async function createProcessedEventsTable(db: QueryRunner): Promise<void> {
  await db.query(`
    create table processed_events (
      consumer varchar(64) not null,
      event_id varchar(128) not null,
      processed_at timestamptz not null default now(),
      primary key (consumer, event_id)
    )`);
}

/** Claims the event for this consumer; false if it was processed before (the caller skips it). */
export async function claimEvent(
  manager: EntityManager,
  consumer: string,
  eventId: string,
): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `insert into processed_events (consumer, event_id) values ($1, $2)
       on conflict do nothing returning event_id`,
    [consumer, eventId],
  );
  return rows.length === 1;
}
