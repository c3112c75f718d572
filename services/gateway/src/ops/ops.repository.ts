/** The gateway's own counters for the ops API: users, their sessions and assistants, activity. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface GatewayCounters {
  users: {
    total: number;
    people: number;
    systems: number;
    active: { today: number; last7Days: number; last30Days: number };
  };
  sessions: { started: number; ended: number };
  assistants: { created: number };
}

@Injectable()
export class OpsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Active: with at least one LLM call (turn, lab turn, completion) in the UTC days counted. */
  async counters(today: string): Promise<GatewayCounters> {
    const [row] = await this.db.query<Array<Record<string, string>>>(
      `select
         (select count(*) from users) as total,
         (select count(distinct user_id) from api_keys) as systems,
         (select coalesce(sum(sessions_started), 0) from users) as started,
         (select coalesce(sum(sessions_ended), 0) from users) as ended,
         (select coalesce(sum(assistants_created), 0) from users) as created,
         (select count(distinct user_id) from usage_daily where day = $1::date and turns > 0) as today,
         (select count(distinct user_id) from usage_daily
            where day > $1::date - 7 and day <= $1::date and turns > 0) as week,
         (select count(distinct user_id) from usage_daily
            where day > $1::date - 30 and day <= $1::date and turns > 0) as month`,
      [today],
    );
    const n = (name: string) => Number(row?.[name] ?? 0);
    return {
      users: {
        total: n('total'),
        people: n('total') - n('systems'),
        systems: n('systems'),
        active: { today: n('today'), last7Days: n('week'), last30Days: n('month') },
      },
      sessions: { started: n('started'), ended: n('ended') },
      assistants: { created: n('created') },
    };
  }
}
