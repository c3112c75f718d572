/**
 * Stored responses (internal; the gateway's Responses API calls it, decision 0022): create one
 * (a turn of a response chain, waited for or streamed as Server-Sent Events like any turn),
 * read it with the caller's key, delete it. Another user's response is 404.
 */
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiException, CallerId, InternalCallerGuard } from '@lab/platform/http';
import { CreateStoredResponseDto, RESPONSE_ID } from '@lab/contracts/dto';
import type { Response } from 'express';
import { CallerKeyId } from '../sessions/caller-key-id.decorator';
import { DataKey, IdempotencyKey, PreviousDataKey } from '../sessions/data-key.decorator';
import { ProviderKey } from '../sessions/provider-key.decorator';
import { streamTurn } from '../sessions/sse';
import { ProviderRateLimited } from '../turns/turn-runner';
import { TurnStreams } from '../turns/turn-streams';
import { ResponsesService } from './responses.service';

/** A response id, or 404 as for any response not stored (ids are the gateway's, never UUIDs). */
const responseId = (id: string) => {
  if (!RESPONSE_ID.test(id)) {
    throw new ApiException(
      HttpStatus.NOT_FOUND,
      'not_found',
      `Response with id ${JSON.stringify(id.slice(0, 100))} not found.`,
    );
  }
  return id;
};

@Controller('responses')
@UseGuards(InternalCallerGuard)
export class ResponsesController {
  constructor(
    private readonly responses: ResponsesService,
    private readonly streams: TurnStreams,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  async create(
    @CallerId() userId: string,
    @DataKey() dataKey: Buffer,
    @PreviousDataKey() previousDataKey: Buffer | undefined,
    @ProviderKey() providerKey: string | undefined,
    @CallerKeyId() callerKeyId: string | undefined,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Body() body: CreateStoredResponseDto,
    @Res({ passthrough: true }) response: Response,
  ) {
    const keys = { dataKey, providerKey, callerKeyId, previousDataKey };
    const prepared = await this.responses.prepare(userId, keys, body, idempotencyKey);
    try {
      if (!prepared.channel) return await prepared.run();
      await streamTurn(response, this.streams, prepared.channel, (begin) => prepared.run(begin));
      return undefined;
    } catch (error) {
      // As on completions: the provider's limit is OpenAI's 429 with its Retry-After.
      if (!(error instanceof ProviderRateLimited) || response.headersSent) throw error;
      if (error.retryAfterSeconds !== undefined) {
        response.setHeader('retry-after', String(error.retryAfterSeconds));
      }
      throw new ApiException(
        HttpStatus.TOO_MANY_REQUESTS,
        'llm_rate_limited',
        'The model provider is rate limiting this request',
      );
    }
  }

  @Get(':id')
  retrieve(
    @CallerId() userId: string,
    @DataKey() dataKey: Buffer,
    @PreviousDataKey() previousDataKey: Buffer | undefined,
    @Param('id') id: string,
  ) {
    return this.responses.retrieve(userId, dataKey, previousDataKey, responseId(id));
  }

  @Delete(':id')
  remove(@CallerId() userId: string, @Param('id') id: string) {
    return this.responses.remove(userId, responseId(id));
  }
}
