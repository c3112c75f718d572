/**
 * The sessions API (internal; the gateway exposes it). Thin: parse, call, answer or stream. The
 * routes that call the model take the caller's own provider key (through `x-key-ref`) when given.
 */
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiException, CallerId, InternalCallerGuard } from '@lab/platform/http';
import type { Response } from 'express';
import { TurnStreams } from '../turns/turn-streams';
import { CallerKeyId } from './caller-key-id.decorator';
import { DataKey, IdempotencyKey, PreviousDataKey } from './data-key.decorator';
import { ListSessionsQueryDto, SendMessageDto, StartSessionDto } from '@lab/contracts/dto';
import { ProviderKey } from './provider-key.decorator';
import { SessionsService, turnIdFrom } from './sessions.service';
import { streamTurn } from './sse';

export const ParseId = new ParseUUIDPipe({
  exceptionFactory: () =>
    new ApiException(
      HttpStatus.BAD_REQUEST,
      'invalid_id',
      'The id in the path is not a valid UUID',
    ),
});

@Controller('sessions')
@UseGuards(InternalCallerGuard)
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly streams: TurnStreams,
  ) {}

  @Post()
  start(
    @CallerId() userId: string,
    @DataKey() dataKey: Buffer,
    @ProviderKey() providerKey: string | undefined,
    @CallerKeyId() callerKeyId: string | undefined,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Body() body: StartSessionDto,
  ) {
    return this.sessions.start(
      userId,
      { dataKey, providerKey, callerKeyId },
      body.assistantId,
      idempotencyKey,
    );
  }

  @Get()
  list(@CallerId() userId: string, @Query() query: ListSessionsQueryDto) {
    return this.sessions.list(userId, query.assistantId, query.cursor, query.limit);
  }

  @Get(':id')
  resume(
    @CallerId() userId: string,
    @DataKey() dataKey: Buffer,
    @PreviousDataKey() previousDataKey: Buffer | undefined,
    @Param('id', ParseId) id: string,
  ) {
    return this.sessions.resume(userId, dataKey, id, previousDataKey);
  }

  /** Waits for the turn, or with `?stream=true` answers Server-Sent Events as the reply is guarded. */
  @Post(':id/messages')
  async send(
    @CallerId() userId: string,
    @DataKey() dataKey: Buffer,
    @ProviderKey() providerKey: string | undefined,
    @CallerKeyId() callerKeyId: string | undefined,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Param('id', ParseId) id: string,
    @Body() body: SendMessageDto,
    @Query('stream') stream: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const keys = { dataKey, providerKey, callerKeyId };
    const turnId = turnIdFrom(idempotencyKey);
    if (stream !== 'true') {
      const turn = await this.sessions.prepareTurn(userId, id, body.content, keys, turnId);
      return turn.run();
    }
    const channel = TurnStreams.channel(id, turnId);
    const turn = await this.sessions.prepareTurn(userId, id, body.content, keys, turnId, channel);
    await streamTurn(response, this.streams, channel, (begin) => turn.run(begin));
    return undefined;
  }

  @Post(':id/end')
  @HttpCode(HttpStatus.OK)
  end(
    @CallerId() userId: string,
    @DataKey() dataKey: Buffer,
    @ProviderKey() providerKey: string | undefined,
    @CallerKeyId() callerKeyId: string | undefined,
    @Param('id', ParseId) id: string,
  ) {
    return this.sessions.end(userId, { dataKey, providerKey, callerKeyId }, id);
  }
}
