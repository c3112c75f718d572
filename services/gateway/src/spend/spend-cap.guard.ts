/**
 * Refuses a route that calls the LLM once the caller has reached a spend cap — before anything
 * is sent to the services, so no model call happens: 402 `spend_cap_reached`, the details naming
 * the scope and period, the cap, the spend and when it resets. Otherwise it tells the caller the
 * tightest remaining budget in `x-spend-remaining-usd` (absent when no cap applies).
 * `@SpendCapped()` goes ABOVE `@Authenticated(...)`: decorators apply bottom-up, so its guard
 * runs after authentication (and the rate limit), with `request.caller` set.
 */
import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  HttpStatus,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ApiException } from '@lab/platform/http';
import type { Response } from 'express';
import type { CallerRequest } from '../identity/caller';
import { SpendService } from './spend.service';

export const SPEND_REMAINING_HEADER = 'x-spend-remaining-usd';

const formatUsd = (value: number) => value.toFixed(8).replace(/\.?0+$/, '') || '0';

@Injectable()
export class SpendCapGuard implements CanActivate {
  constructor(private readonly spend: SpendService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const caller = http.getRequest<CallerRequest>().caller;
    if (!caller) throw new Error('@SpendCapped() must be placed above @Authenticated()');
    if (!(await this.spend.anyCap(caller))) return true;
    const status = await this.spend.status(caller);
    if (status.remainingUsd !== null) {
      http
        .getResponse<Response>()
        .setHeader(SPEND_REMAINING_HEADER, formatUsd(status.remainingUsd));
    }
    if (!status.reached) return true;
    const { scope, period, budget } = status.reached;
    const who = scope === 'apiKey' ? 'API key' : 'user';
    throw new ApiException(
      HttpStatus.PAYMENT_REQUIRED,
      'spend_cap_reached',
      `The ${period} spend cap of this ${who} (${formatUsd(budget.capUsd ?? 0)} USD) is reached; it resets at ${budget.resetsAt}`,
      [
        {
          field: `${scope}.${period}`,
          message: `spent ${formatUsd(budget.spentUsd)} USD of a ${period} cap of ${formatUsd(budget.capUsd ?? 0)} USD since ${budget.since} (UTC); resets at ${budget.resetsAt}`,
        },
      ],
    );
  }
}

/**
 * Checks the caller's spend caps before an LLM-calling route; put it above `@Authenticated()`.
 * `openai`: the route answers in OpenAI's error model, where a reached cap is 429
 * `insufficient_quota` (compat/openai-error.ts).
 */
export const SpendCapped = (errors: 'platform' | 'openai' = 'platform') =>
  applyDecorators(
    UseGuards(SpendCapGuard),
    ApiResponse({
      status: errors === 'openai' ? HttpStatus.TOO_MANY_REQUESTS : HttpStatus.PAYMENT_REQUIRED,
      description: `\`${errors === 'openai' ? 'insufficient_quota' : 'spend_cap_reached'}\`: a daily, weekly or monthly spend cap of the user or API key is reached; nothing was sent to the model. While a cap applies, every answer of this route carries \`${SPEND_REMAINING_HEADER}\` (the tightest remaining budget, USD).`,
      content: {
        'application/json': {
          schema: { $ref: `#/components/schemas/${errors === 'openai' ? 'OpenAiError' : 'Error'}` },
        },
      },
    }),
  );
