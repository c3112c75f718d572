/**
 * The usage rollup (`usage_daily`): written by the usage consumer, read for spend caps, the
 * caller's own usage and the ops API. Days are UTC.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

/** The API key column's value when the caller was not an API key. */
export const NO_API_KEY = '00000000-0000-0000-0000-000000000000';
/** The assistant column's value for lab turns with a draft (no stored assistant yet). */
export const NO_ASSISTANT = '00000000-0000-0000-0000-000000000000';

export interface UsageDelta {
  day: string;
  userId: string;
  assistantId: string;
  model: string;
  apiKeyId: string | null;
  turns: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  guardHits: number;
}

export type UsageDimension = 'day' | 'user' | 'assistant' | 'model' | 'apiKey';

export interface UsageRow {
  key: string | null;
  turns: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  guardHits: number;
}

const GROUP_COLUMNS: Record<UsageDimension, string> = {
  day: `to_char(day, 'YYYY-MM-DD')`,
  user: 'user_id::text',
  assistant: `nullif(assistant_id, '${NO_ASSISTANT}')::text`,
  model: 'model',
  apiKey: `nullif(api_key_id, '${NO_API_KEY}')::text`,
};

interface RawUsage {
  key: string | null;
  turns: string;
  prompt_tokens: string;
  completion_tokens: string;
  cost_usd: string;
  guard_hits: string;
}

const toRow = (r: RawUsage): UsageRow => ({
  key: r.key,
  turns: Number(r.turns),
  promptTokens: Number(r.prompt_tokens),
  completionTokens: Number(r.completion_tokens),
  costUsd: Number(r.cost_usd),
  guardHits: Number(r.guard_hits),
});

@Injectable()
export class UsageRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async add(manager: EntityManager, delta: UsageDelta): Promise<void> {
    await manager.query(
      `insert into usage_daily as u (day, user_id, assistant_id, model, api_key_id, turns,
         prompt_tokens, completion_tokens, cost_usd, guard_hits)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       on conflict (day, user_id, assistant_id, model, api_key_id) do update set
         turns = u.turns + excluded.turns,
         prompt_tokens = u.prompt_tokens + excluded.prompt_tokens,
         completion_tokens = u.completion_tokens + excluded.completion_tokens,
         cost_usd = u.cost_usd + excluded.cost_usd,
         guard_hits = u.guard_hits + excluded.guard_hits`,
      [
        delta.day,
        delta.userId,
        delta.assistantId,
        delta.model,
        delta.apiKeyId ?? NO_API_KEY,
        delta.turns,
        delta.promptTokens,
        delta.completionTokens,
        delta.costUsd.toFixed(10),
        delta.guardHits,
      ],
    );
  }

  /** Usage between two UTC days (inclusive), grouped by one dimension. */
  async grouped(from: string, to: string, by: UsageDimension): Promise<UsageRow[]> {
    const column = GROUP_COLUMNS[by];
    const rows: RawUsage[] = await this.db.query(
      `select ${column} as key, sum(turns) as turns, sum(prompt_tokens) as prompt_tokens,
              sum(completion_tokens) as completion_tokens, sum(cost_usd) as cost_usd,
              sum(guard_hits) as guard_hits
         from usage_daily where day between $1 and $2 group by 1 order by 1`,
      [from, to],
    );
    return rows.map(toRow);
  }

  /** Cost in USD since each given UTC day, for a user or an API key. */
  async spendSince(
    who: { userId: string } | { apiKeyId: string },
    since: readonly string[],
  ): Promise<number[]> {
    const [column, id] = 'userId' in who ? ['user_id', who.userId] : ['api_key_id', who.apiKeyId];
    const rows: Array<{ spent: string | null }> = await this.db.query(
      `select (select coalesce(sum(cost_usd), 0) from usage_daily
                where ${column} = $1 and day >= s.day) as spent
         from unnest($2::date[]) with ordinality as s(day, n) order by s.n`,
      [id, since],
    );
    return rows.map((r) => Number(r.spent ?? 0));
  }
}
