import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Key rotation (decision 0021): while a bring-your-own-key user's history moves to a new data
 * key, the OLD data key wrapped under the NEW OpenAI key, so only the new key's holder can read
 * sessions not yet moved. Null when no rotation is open; cleared once the rotation is done.
 */
export class PreviousWrappedDataKey1765200000000 implements MigrationInterface {
  name = 'PreviousWrappedDataKey1765200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`alter table users add column previous_wrapped_data_key text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`alter table users drop column previous_wrapped_data_key`);
  }
}
