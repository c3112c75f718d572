import { createProcessedEventsTable } from '@lab/platform/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The processed-event table of this service's consumer (session counters), see decision 0009. */
export class ProcessedEvents1763900000000 implements MigrationInterface {
  name = 'ProcessedEvents1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await createProcessedEventsTable(db);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`drop table processed_events`);
  }
}
