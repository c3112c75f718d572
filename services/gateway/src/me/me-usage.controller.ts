/**
 * The caller's own spend: today, this ISO week and this month (UTC), their caps and what
 * remains; for an API key, also the key's own. From the usage rollup, which trails the turns by
 * the event pipeline's lag (about a second; decision 0009).
 */
import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, Caller } from '../identity/auth.guard';
import type { AuthenticatedCaller } from '../identity/caller';
import { Answers } from '../openapi/views';
import { type Budget, SpendService } from '../spend/spend.service';

export interface MyUsageView {
  user: Budget;
  apiKey: Budget | null;
  remainingUsd: number | null;
  asOf: string;
}

@ApiTags('me')
@Controller('v1')
export class MeUsageController {
  constructor(private readonly spend: SpendService) {}

  @Get('me/usage')
  @Authenticated()
  @ApiOperation({
    summary: 'My spend today, this week and this month, my caps and what remains',
    description:
      'Periods are UTC: the day, the ISO week (from Monday), the calendar month. An API key is bound by its own caps and by its system user’s; `remainingUsd` is the tightest of all (null: no cap). Spend is counted from the usage events, a second or so behind the turns.',
  })
  @Answers('MyUsage')
  async usage(@Caller() caller: AuthenticatedCaller): Promise<MyUsageView> {
    const now = new Date();
    const { user, apiKey, remainingUsd } = await this.spend.status(caller, now);
    return { user, apiKey, remainingUsd, asOf: now.toISOString() };
  }
}
