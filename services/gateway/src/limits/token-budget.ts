/**
 * A caller's budget of model tokens per minute on the OpenAI-compatible routes (decision 0016):
 * a bucket per identity (`caller.limitKey`) in Redis beside the request bucket. A request is
 * checked before the exchange (the bucket must hold a token: the reply's size is not known
 * yet), and charged with the exchange's real usage after it, which may take the bucket below
 * zero; the refill pays the debt back before the next request passes. OpenAI's
 * `x-ratelimit-*-tokens` headers tell where the caller stands. Like the request limit it fails
 * open when Redis does not answer in time.
 */
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { ApiException } from '@lab/platform/http';
import type { Response } from 'express';
import type { AuthenticatedCaller } from '../identity/caller';
import { RATE_LIMIT_GUARD_OPTIONS, type RateLimitGuardOptions } from './rate-limit.guard';
import { tokenRateLimitHeaders } from './rate-limit-headers';
import type { RateLimitDecision, RateLimiter } from './rate-limiter';

/** Provider token of the token-per-minute limiter (a `RateLimiter`). */
export const TOKEN_RATE_LIMITER = Symbol('TOKEN_RATE_LIMITER');

@Injectable()
export class TokenBudget {
  private readonly logger = new Logger(TokenBudget.name);

  constructor(
    @Inject(TOKEN_RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(RATE_LIMIT_GUARD_OPTIONS) private readonly options: RateLimitGuardOptions,
  ) {}

  /** Sets the token headers, and refuses with 429 `rate_limited` when the budget is spent. */
  async check(caller: AuthenticatedCaller, response: Response): Promise<void> {
    const decision = await this.within(() => this.limiter.check(caller.limitKey));
    if (!decision) return;
    const headers = tokenRateLimitHeaders(decision);
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    if (!decision.allowed) {
      throw new ApiException(
        HttpStatus.TOO_MANY_REQUESTS,
        'rate_limited',
        `Rate limit of ${decision.limit} tokens per minute exceeded; retry in ${headers['Retry-After'] ?? '1'} s`,
      );
    }
  }

  /** Charges an exchange's tokens (prompt and completion, every choice). */
  async charge(
    caller: AuthenticatedCaller,
    usage: { promptTokens: number; completionTokens: number },
  ): Promise<void> {
    const tokens = usage.promptTokens + usage.completionTokens;
    if (!(tokens > 0)) return;
    await this.within(() => this.limiter.charge(caller.limitKey, tokens));
  }

  private async within(
    step: () => Promise<RateLimitDecision>,
  ): Promise<RateLimitDecision | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer from Redis within ${this.options.timeoutMs} ms`)),
        this.options.timeoutMs,
      );
    });
    try {
      return await Promise.race([step(), timeout]);
    } catch (error) {
      this.logger.error(
        `token rate limiter unavailable, going on unlimited: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
