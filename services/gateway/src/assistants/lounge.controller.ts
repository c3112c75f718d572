/**
 * What the portal shows before and around sign-in: the lounge for visitors (the showcased
 * assistants, read-only, rate-limited per client address) and the model registry the lab's
 * model picker offers (what an assistant may use, with its limits).
 */
import {
  applyDecorators,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Inject,
  Injectable,
  Req,
  UseGuards,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { MODEL_REGISTRY } from '@lab/conversation';
import type { Request } from 'express';
import { Authenticated } from '../identity/auth.guard';
import type { AuthenticatedCaller, CallerRequest } from '../identity/caller';
import { RateLimitGuard } from '../limits/rate-limit.guard';
import { Answers } from '../openapi/views';
import { ASSISTANTS, type Upstream } from '../upstream/upstream';

/** No platform user: a visitor's requests are scoped to nobody and limited by address. */
const VISITOR_USER_ID = '00000000-0000-4000-8000-000000000000';

@Injectable()
export class VisitorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<CallerRequest>();
    const visitor: AuthenticatedCaller = {
      userId: VISITOR_USER_ID,
      kind: 'api_key',
      limitKey: `visitor:${request.ip ?? 'unknown'}`,
      scopes: ['assistants:read'],
      dataKey: Buffer.alloc(0),
    };
    request.caller = visitor;
    return true;
  }
}

const ForVisitors = () => applyDecorators(UseGuards(VisitorGuard, RateLimitGuard));

const LOUNGE_SIZE = 50;

@ApiTags('assistants')
@Controller('v1')
export class LoungeController {
  constructor(@Inject(ASSISTANTS) private readonly assistants: Upstream) {}

  @Get('lounge')
  @ForVisitors()
  @ApiOperation({
    summary: 'The lounge for visitors: showcased assistants, without signing in',
    description: `At most ${LOUNGE_SIZE}; no credential needed, rate-limited per client address.`,
  })
  @Answers('AssistantPage')
  async lounge(@Req() request: CallerRequest & Request) {
    return (
      await this.assistants.json(request.caller!, {
        path: '/assistants/showcased',
        query: { limit: LOUNGE_SIZE },
        request,
      })
    ).body;
  }

  @Get('lab/models')
  @Authenticated('assistants:read')
  @ApiOperation({ summary: 'The model registry: the models an assistant may use, with limits' })
  @Answers('ModelRegistry')
  registry() {
    return {
      items: [...MODEL_REGISTRY.values()].map((model) => ({
        id: model.id,
        endpoint: model.endpoint,
        contextWindow: model.contextWindow,
        maxOutputTokens: model.maxOutputTokens,
        priceUsdPerMillionTokens: { input: model.price.input, output: model.price.output },
      })),
    };
  }
}
