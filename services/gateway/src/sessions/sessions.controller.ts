/**
 * Chat sessions of the public API: start (the assistant opens), chat (waiting for the reply, or
 * streamed as Server-Sent Events), end with a recap, list, and resume. The sessions service
 * scopes every session by its owner, so another user's session is 404 by any route. Turns honour
 * `Idempotency-Key`: the same key runs a turn once and answers its result again.
 */
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_PATTERN } from '@lab/contracts';
import {
  LabTurnDto,
  ListSessionsQueryDto,
  SendMessageDto,
  StartSessionDto,
  StreamQueryDto,
} from '@lab/contracts/dto';
import { ApiQueryFrom } from '../openapi/decorators';
import { Answers, STREAMED_TURN_EVENTS, Streams } from '../openapi/views';
import type { Request, Response } from 'express';
import { Authenticated, Caller } from '../identity/auth.guard';
import type { AuthenticatedCaller } from '../identity/caller';
import { ParseId } from '../upstream/params';
import { SpendCapped } from '../spend/spend-cap.guard';
import { SESSIONS, type Upstream } from '../upstream/upstream';

const IDEMPOTENCY = ApiHeader({
  name: 'Idempotency-Key',
  required: false,
  description:
    'Runs the request once; repeating it answers the same result. Bound to the request: the same key with another body is 422 `idempotency_key_reused`.',
  schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN },
});

/** Streaming is asked for with `?stream=true` or `Accept: text/event-stream`. */
export function wantsStream(request: Request, stream: StreamQueryDto['stream']): boolean {
  return stream === 'true' || (request.header('accept') ?? '').includes('text/event-stream');
}

@ApiTags('sessions')
@Controller('v1')
export class SessionsController {
  constructor(@Inject(SESSIONS) private readonly sessions: Upstream) {}

  @Post('sessions')
  @SpendCapped()
  @Authenticated('chat')
  @IDEMPOTENCY
  @ApiOperation({ summary: 'Start a session with an assistant; it writes the opening message' })
  @Answers('StartedSession', HttpStatus.CREATED)
  async start(
    @Caller() caller: AuthenticatedCaller,
    @Body() body: StartSessionDto,
    @Req() request: Request,
  ) {
    return (
      await this.sessions.json(caller, {
        method: 'POST',
        path: '/sessions',
        body,
        request,
        keys: 'model',
      })
    ).body;
  }

  @Get('sessions')
  @Authenticated('chat')
  @ApiOperation({ summary: 'My past sessions, newest first (optionally with one assistant)' })
  @Answers('SessionPage')
  @ApiQueryFrom(ListSessionsQueryDto)
  async list(
    @Caller() caller: AuthenticatedCaller,
    @Query() query: ListSessionsQueryDto,
    @Req() request: Request,
  ) {
    return (await this.sessions.json(caller, { path: '/sessions', query: { ...query }, request }))
      .body;
  }

  @Get('sessions/:id')
  @Authenticated('chat')
  @ApiOperation({ summary: 'Resume: the session, its messages, and the recap once ended' })
  @Answers('ResumedSession')
  async resume(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Req() request: Request,
  ) {
    return (await this.sessions.json(caller, { path: `/sessions/${id}`, request, keys: 'data' }))
      .body;
  }

  @Post('sessions/:id/messages')
  @HttpCode(HttpStatus.CREATED)
  @SpendCapped()
  @Authenticated('chat')
  @IDEMPOTENCY
  @ApiQueryFrom(StreamQueryDto)
  @ApiHeader({
    name: 'Accept',
    required: false,
    description: '`text/event-stream` asks for the reply as Server-Sent Events',
    schema: { type: 'string' },
  })
  @Streams(STREAMED_TURN_EVENTS)
  @ApiOperation({
    summary: 'Send a message; answers the guarded reply, or streams it',
    description:
      'Streamed as Server-Sent Events: `delta` (guarded text), `reset` (a retried attempt starts over), `guarded`, `done` (the final reply and usage), `error` (the error model).',
  })
  @Answers('TurnResult', HttpStatus.CREATED)
  async send(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Body() body: SendMessageDto,
    @Query() query: StreamQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const path = `/sessions/${id}/messages`;
    if (wantsStream(request, query.stream)) {
      await this.sessions.pipeEvents(
        caller,
        { method: 'POST', path, query: { stream: 'true' }, body, request, keys: 'model' },
        response,
      );
      return undefined;
    }
    return (
      await this.sessions.json(caller, { method: 'POST', path, body, request, keys: 'model' })
    ).body;
  }

  @Post('sessions/:id/end')
  @HttpCode(HttpStatus.OK)
  @SpendCapped()
  @Authenticated('chat')
  @ApiOperation({
    summary: 'End a session: the recap is written with the assistant’s summary prompt',
  })
  @Answers('EndedSession')
  async end(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Req() request: Request,
  ) {
    return (
      await this.sessions.json(caller, {
        method: 'POST',
        path: `/sessions/${id}/end`,
        request,
        keys: 'model',
      })
    ).body;
  }

  @Post('lab/turns')
  @HttpCode(HttpStatus.OK)
  @SpendCapped()
  @Authenticated('chat')
  @IDEMPOTENCY
  @ApiOperation({
    summary: 'The lab’s test chat with a draft assistant; nothing is stored',
    description: 'The caller keeps the returned thread and sends it back with the next message.',
  })
  @Answers('LabTurnResult')
  async labTurn(
    @Caller() caller: AuthenticatedCaller,
    @Body() body: LabTurnDto,
    @Req() request: Request,
  ) {
    return (
      await this.sessions.json(caller, {
        method: 'POST',
        path: '/lab/turns',
        body,
        request,
        keys: 'model',
      })
    ).body;
  }
}
