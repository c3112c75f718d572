/**
 * The spend caps of platform API keys (columns of `api_keys`, set when a key is created). The
 * identity entity does not map them: only spend caps read or write them, here.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { SpendPeriod } from './periods';

export type CapsByPeriod = Record<SpendPeriod, number | null>;

export const NO_CAPS: CapsByPeriod = { daily: null, weekly: null, monthly: null };

interface RawCaps {
  id: string;
  daily: string | null;
  weekly: string | null;
  monthly: string | null;
}

const toCaps = (r: RawCaps): CapsByPeriod => ({
  daily: r.daily === null ? null : Number(r.daily),
  weekly: r.weekly === null ? null : Number(r.weekly),
  monthly: r.monthly === null ? null : Number(r.monthly),
});

@Injectable()
export class SpendCapsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async setForKey(id: string, caps: CapsByPeriod): Promise<void> {
    await this.db.query(
      `update api_keys set spend_cap_daily_usd = $2, spend_cap_weekly_usd = $3,
              spend_cap_monthly_usd = $4 where id = $1`,
      [id, caps.daily, caps.weekly, caps.monthly],
    );
  }

  /** The caps of each given key (keys without caps are absent). */
  async forKeys(ids: readonly string[]): Promise<Map<string, CapsByPeriod>> {
    if (ids.length === 0) return new Map();
    const rows: RawCaps[] = await this.db.query(
      `select id::text as id, spend_cap_daily_usd as daily, spend_cap_weekly_usd as weekly,
              spend_cap_monthly_usd as monthly
         from api_keys where id = any($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, toCaps(r)]));
  }

  async forKey(id: string): Promise<CapsByPeriod> {
    return (await this.forKeys([id])).get(id) ?? NO_CAPS;
  }
}
