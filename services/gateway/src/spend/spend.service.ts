/**
 * Where a caller stands against their spend caps: spend so far in the UTC day, ISO week and
 * month (from the usage rollup), the caps and what remains. A person is bound by the user caps
 * (SPEND_CAP_USER_*_USD); an internal system's API key by its own caps (set at creation) and by
 * the user caps of its system user, which all the system's keys share — the tighter wins.
 * The rollup trails the turns by the event pipeline's lag (about a second): see decision 0009.
 */
import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { AuthenticatedCaller } from '../identity/caller';
import { UsageRepository } from '../usage/usage.repository';
import { periodWindows, SPEND_PERIODS, type SpendPeriod } from './periods';
import { type CapsByPeriod, SpendCapsRepository } from './spend-caps.repository';

export interface PeriodBudget {
  /** The period's first UTC day. */
  since: string;
  resetsAt: string;
  spentUsd: number;
  /** null: no cap for this period. */
  capUsd: number | null;
  /** The cap minus the spend, never below 0; null without a cap. */
  remainingUsd: number | null;
}

export interface Budget {
  /** The user id, or the API key id. */
  id: string;
  daily: PeriodBudget;
  weekly: PeriodBudget;
  monthly: PeriodBudget;
}

export interface SpendStatus {
  user: Budget;
  /** For an API key caller: the key's own budget. */
  apiKey: Budget | null;
  /** The tightest remaining amount of all the caps that apply; null when none does. */
  remainingUsd: number | null;
  /** The first cap reached (spent ≥ cap), if any. */
  reached: { scope: 'user' | 'apiKey'; period: SpendPeriod; budget: PeriodBudget } | null;
}

/** The API key id of an API-key caller (its limit key is `key:<id>`), else null. */
export function apiKeyIdOf(caller: AuthenticatedCaller): string | null {
  return caller.kind === 'api_key' && caller.limitKey.startsWith('key:')
    ? caller.limitKey.slice('key:'.length)
    : null;
}

/** USD amounts rounded to a millionth of a cent: sums of numeric(20,10) read as floats. */
const usd = (value: number) => Math.round(value * 1e8) / 1e8;

@Injectable()
export class SpendService {
  private readonly userCaps: CapsByPeriod;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly usage: UsageRepository,
    private readonly caps: SpendCapsRepository,
  ) {
    this.userCaps = config.userSpendCaps;
  }

  /** Whether any cap could apply to this caller (no spend query otherwise). */
  async status(caller: AuthenticatedCaller, now = new Date()): Promise<SpendStatus> {
    const windows = periodWindows(now);
    const since = SPEND_PERIODS.map((p) => windows[p].since);
    const keyId = apiKeyIdOf(caller);
    const [userSpent, keySpent, keyCaps] = await Promise.all([
      this.usage.spendSince({ userId: caller.userId }, since),
      keyId ? this.usage.spendSince({ apiKeyId: keyId }, since) : Promise.resolve(null),
      keyId ? this.caps.forKey(keyId) : Promise.resolve(null),
    ]);
    const budget = (id: string, spent: number[], caps: CapsByPeriod): Budget => {
      const period = (p: SpendPeriod, i: number): PeriodBudget => {
        const cap = caps[p];
        const spentUsd = usd(spent[i] ?? 0);
        return {
          since: windows[p].since,
          resetsAt: windows[p].resetsAt.toISOString(),
          spentUsd,
          capUsd: cap,
          remainingUsd: cap === null ? null : usd(Math.max(0, cap - spentUsd)),
        };
      };
      return {
        id,
        daily: period('daily', 0),
        weekly: period('weekly', 1),
        monthly: period('monthly', 2),
      };
    };
    const user = budget(caller.userId, userSpent, this.userCaps);
    const apiKey = keyId && keySpent && keyCaps ? budget(keyId, keySpent, keyCaps) : null;
    let remainingUsd: number | null = null;
    let reached: SpendStatus['reached'] = null;
    const scopes: Array<['user' | 'apiKey', Budget | null]> = [
      ['apiKey', apiKey],
      ['user', user],
    ];
    for (const [scope, b] of scopes) {
      if (!b) continue;
      for (const period of SPEND_PERIODS) {
        const p = b[period];
        if (p.capUsd === null || p.remainingUsd === null) continue;
        remainingUsd =
          remainingUsd === null ? p.remainingUsd : Math.min(remainingUsd, p.remainingUsd);
        if (!reached && p.spentUsd >= p.capUsd) reached = { scope, period, budget: p };
      }
    }
    return { user, apiKey, remainingUsd, reached };
  }

  /** Whether any cap applies to this caller at all (the user caps, or the key's). */
  async anyCap(caller: AuthenticatedCaller): Promise<boolean> {
    if (SPEND_PERIODS.some((p) => this.userCaps[p] !== null)) return true;
    const keyId = apiKeyIdOf(caller);
    if (!keyId) return false;
    const caps = await this.caps.forKey(keyId);
    return SPEND_PERIODS.some((p) => caps[p] !== null);
  }
}
