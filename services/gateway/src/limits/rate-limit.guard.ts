/**
 * Counts every authenticated request against its caller's bucket (`caller.limitKey`), tells the
 * client where it stands in headers, and refuses with 429 `rate_limited` and `Retry-After` when
 * the bucket is empty. It must run after the authentication guard; unauthenticated requests
 * (no `request.caller`) pass untouched, for the authentication guard to deal with.
 */
import {
  type CanActivate,
  type ExecutionContext,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { ApiException } from '@lab/platform/http';
import type { Response } from 'express';
import type { CallerRequest } from '../identity/caller';
import { rateLimitHeaders, retryAfterSeconds } from './rate-limit-headers';
import type { RateLimitDecider, RateLimitDecision } from './rate-limiter';

/** Provider token of the limiter (a `RateLimitDecider`, normally a `RateLimiter`). */
export const RATE_LIMITER = Symbol('RATE_LIMITER');
/** Provider token of the guard's `RateLimitGuardOptions`. */
export const RATE_LIMIT_GUARD_OPTIONS = Symbol('RATE_LIMIT_GUARD_OPTIONS');

export interface RateLimitGuardOptions {
  /** How long to wait for Redis before letting the request through. */
  timeoutMs: number;
}

export const DEFAULT_RATE_LIMIT_TIMEOUT_MS = 500;
/** At most one outage log line per this interval, with the count of requests let through. */
const OUTAGE_LOG_INTERVAL_MS = 10_000;

@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger(RateLimitGuard.name);
  private lastOutageLog = 0;
  private unlimitedSinceLog = 0;

  constructor(
    @Inject(RATE_LIMITER) private readonly limiter: RateLimitDecider,
    @Inject(RATE_LIMIT_GUARD_OPTIONS) private readonly options: RateLimitGuardOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const caller = http.getRequest<CallerRequest>().caller;
    if (!caller) return true;

    const decision = await this.decide(caller.limitKey);
    if (!decision) return true;

    const response = http.getResponse<Response>();
    const headers = rateLimitHeaders(decision);
    for (const [name, value] of Object.entries(headers)) {
      response.setHeader(name, value);
    }
    if (!decision.allowed) {
      const seconds = headers['Retry-After'] ?? String(retryAfterSeconds(decision));
      throw new ApiException(
        HttpStatus.TOO_MANY_REQUESTS,
        'rate_limited',
        `Rate limit of ${decision.limit} requests exceeded; retry in ${seconds} s`,
      );
    }
    return true;
  }

  /**
   * Fail-open: when Redis cannot answer in time, the request goes through unlimited and the
   * outage is logged. The limiter protects the platform from a runaway client; an outage of the
   * limiter must not take the whole API down with it. The timeout matters: ioredis queues
   * commands while it reconnects, so without it an outage would stall requests, not fail them.
   */
  private async decide(limitKey: string): Promise<RateLimitDecision | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer from Redis within ${this.options.timeoutMs} ms`)),
        this.options.timeoutMs,
      );
    });
    try {
      return await Promise.race([this.limiter.take(limitKey), timeout]);
    } catch (error) {
      this.logOutage(error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private logOutage(error: unknown): void {
    this.unlimitedSinceLog += 1;
    const now = Date.now();
    if (now - this.lastOutageLog < OUTAGE_LOG_INTERVAL_MS) return;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.error(
      `rate limiter unavailable, letting requests through unlimited (${this.unlimitedSinceLog} since last report): ${reason}`,
    );
    this.lastOutageLog = now;
    this.unlimitedSinceLog = 0;
  }
}
