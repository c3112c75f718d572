/**
 * `POST /completions` (internal; the gateway's OpenAI-compatible endpoint calls it): a stored
 * assistant answers the conversation the caller sends; nothing is stored. Waits for the reply,
 * or with `stream: true` answers Server-Sent Events like a session turn. A provider that kept
 * rate limiting is 429 `llm_rate_limited` with its `Retry-After`, as OpenAI's clients expect.
 */
import { Body, Controller, HttpCode, HttpStatus, Post, Res, UseGuards } from '@nestjs/common';
import { ApiException, CallerId, InternalCallerGuard } from '@lab/platform/http';
import type { Response } from 'express';
import { CallerKeyId } from '../sessions/caller-key-id.decorator';
import { DataKey, IdempotencyKey } from '../sessions/data-key.decorator';
import { ProviderKey } from '../sessions/provider-key.decorator';
import { turnIdFrom } from '../sessions/sessions.service';
import { streamTurn } from '../sessions/sse';
import { ProviderRateLimited } from '../turns/turn-runner';
import { TurnStreams } from '../turns/turn-streams';
import { CreateCompletionDto } from '@lab/contracts/dto';
import { CompletionsService } from './completions.service';

@Controller('completions')
@UseGuards(InternalCallerGuard)
export class CompletionsController {
  constructor(
    private readonly completions: CompletionsService,
    private readonly streams: TurnStreams,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  async create(
    @CallerId() userId: string,
    @DataKey() dataKey: Buffer,
    @ProviderKey() providerKey: string | undefined,
    @CallerKeyId() callerKeyId: string | undefined,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Body() body: CreateCompletionDto,
    @Res({ passthrough: true }) response: Response,
  ) {
    const prepared = await this.completions.prepare(
      turnIdFrom(idempotencyKey),
      body.assistantId,
      body.messages,
      body.options,
    );
    const keys = { dataKey, providerKey, callerKeyId };
    try {
      if (body.stream !== true) return await this.completions.complete(userId, prepared, keys);
      const channel = TurnStreams.channel(`completion:${userId}`, prepared.turnId);
      await streamTurn(response, this.streams, channel, (begin) =>
        this.completions.complete(userId, prepared, keys, channel, begin),
      );
      return undefined;
    } catch (error) {
      if (!(error instanceof ProviderRateLimited) || response.headersSent) throw error;
      if (error.retryAfterSeconds !== undefined) {
        response.setHeader('retry-after', String(error.retryAfterSeconds));
      }
      throw new ApiException(
        HttpStatus.TOO_MANY_REQUESTS,
        'llm_rate_limited',
        `The model provider is rate limiting this request${error.retryAfterSeconds !== undefined ? `; retry in ${error.retryAfterSeconds} s` : ''}`,
      );
    }
  }
}
