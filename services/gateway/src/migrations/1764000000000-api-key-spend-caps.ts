import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Spend caps of a platform API key, in USD per UTC day, ISO week and month (null: no cap). */
export class ApiKeySpendCaps1764000000000 implements MigrationInterface {
  name = 'ApiKeySpendCaps1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      alter table api_keys
        add column spend_cap_daily_usd numeric(20, 10),
        add column spend_cap_weekly_usd numeric(20, 10),
        add column spend_cap_monthly_usd numeric(20, 10)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      alter table api_keys
        drop column spend_cap_daily_usd,
        drop column spend_cap_weekly_usd,
        drop column spend_cap_monthly_usd`);
  }
}
