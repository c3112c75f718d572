/**
 * OpenAI compatibility: any OpenAI SDK chats with an assistant through `POST /v1/chat/completions`
 * with `model: "assistant/<id or share code>"`, streamed or not. The conversation is the
 * caller's (nothing is stored); the assistant's prompts, model configuration and guard apply.
 * `GET /v1/models` lists the assistants the caller can use.
 */
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiException, badRequest, type ErrorBody } from '@lab/platform/http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { Answers, AnswersOrStreams } from '../openapi/views';
import type { Request, Response } from 'express';
import { Authenticated, Caller } from '../identity/auth.guard';
import { SpendCapped } from '../spend/spend-cap.guard';
import type { AuthenticatedCaller } from '../identity/caller';
import {
  ASSISTANTS,
  requestIdOf,
  SESSIONS,
  type Upstream,
  upstreamError,
} from '../upstream/upstream';
import { ChatCompletionsDto, type ChatMessageDto } from './chat-completions.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface CompletionResult {
  turnId: string;
  reply: string;
  guardHit: boolean;
  usage: { promptTokens: number; completionTokens: number };
  model: string;
}

interface AssistantSummary {
  id: string;
  code: string;
  createdAt: string;
  createdByYou: boolean;
}

const finishReason = (result: CompletionResult) => (result.guardHit ? 'content_filter' : 'stop');

const openAiUsage = (usage: CompletionResult['usage']) => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.promptTokens + usage.completionTokens,
});

/** Message content as text: a string, or the text parts of an array. */
export function contentText(message: ChatMessageDto, index: number): string {
  if (typeof message.content === 'string') return message.content;
  if (
    Array.isArray(message.content) &&
    message.content.every((part) => part?.type === 'text' && typeof part.text === 'string')
  ) {
    return message.content.map((part) => part.text).join('');
  }
  throw badRequest('The request is not valid', [
    {
      field: `messages.${index}.content`,
      message: 'content must be a string or an array of text parts',
    },
  ]);
}

@ApiTags('openai-compatible')
@Controller('v1')
export class ChatCompletionsController {
  constructor(
    @Inject(ASSISTANTS) private readonly assistants: Upstream,
    @Inject(SESSIONS) private readonly sessions: Upstream,
  ) {}

  @Post('chat/completions')
  @HttpCode(HttpStatus.OK)
  @SpendCapped()
  @Authenticated('chat')
  @ApiOperation({
    summary: 'OpenAI-compatible chat completion with an assistant',
    description:
      '`model` is `assistant/<id or share code>`. The assistant’s prompts, model configuration and guard apply; client system messages and sampling parameters are ignored. A guarded reply ends with `finish_reason: "content_filter"`.',
  })
  @AnswersOrStreams('ChatCompletion')
  async complete(
    @Caller() caller: AuthenticatedCaller,
    @Body() body: ChatCompletionsDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const messages = body.messages.map((message, index) => ({
      role: message.role === 'developer' ? 'system' : message.role,
      content: contentText(message, index),
    }));
    const assistantId = await this.resolve(caller, body.model.slice('assistant/'.length), request);
    const call = {
      method: 'POST' as const,
      path: '/completions',
      body: { assistantId, messages, stream: body.stream === true },
      request,
      keys: 'model' as const,
    };
    const id = `chatcmpl-${requestIdOf(request) ?? Date.now()}`;
    const created = Math.floor(Date.now() / 1000);
    if (!body.stream) {
      const { body: result } = await this.sessions.json<CompletionResult>(caller, call);
      return {
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: result.reply, refusal: null },
            logprobs: null,
            finish_reason: finishReason(result),
          },
        ],
        usage: openAiUsage(result.usage),
      };
    }
    await this.stream(caller, call, response, {
      id,
      created,
      model: body.model,
      includeUsage: body.stream_options?.include_usage === true,
    });
    return undefined;
  }

  @Get('models')
  @Authenticated('chat')
  @ApiOperation({ summary: 'The assistants usable as models: showcased and mine' })
  @Answers('ModelList')
  async models(@Caller() caller: AuthenticatedCaller, @Req() request: Request) {
    const page = { path: '', query: { limit: 100 }, request };
    const [showcased, mine] = await Promise.all([
      this.assistants.json<{ items: AssistantSummary[] }>(caller, {
        ...page,
        path: '/assistants/showcased',
      }),
      this.assistants.json<{ items: AssistantSummary[] }>(caller, {
        ...page,
        path: '/assistants/mine',
      }),
    ]);
    const seen = new Set<string>();
    const data = [...showcased.body.items, ...mine.body.items]
      .filter((assistant) => !seen.has(assistant.id) && seen.add(assistant.id))
      .map((assistant) => ({
        id: `assistant/${assistant.code}`,
        object: 'model',
        created: Math.floor(Date.parse(assistant.createdAt) / 1000),
        owned_by: assistant.createdByYou ? 'you' : 'platform',
      }));
    return { object: 'list', data };
  }

  /** `assistant/<uuid>` names it; anything else is a share code. */
  private async resolve(
    caller: AuthenticatedCaller,
    name: string,
    request: Request,
  ): Promise<string> {
    if (UUID.test(name)) return name.toLowerCase();
    try {
      const path = `/assistants/by-code/${encodeURIComponent(name)}`;
      const { body } = await this.assistants.json<{ id: string }>(caller, { path, request });
      return body.id;
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() === 404) {
        throw new ApiException(
          HttpStatus.NOT_FOUND,
          'model_not_found',
          `The model ${JSON.stringify(`assistant/${name}`)} does not exist`,
        );
      }
      throw error;
    }
  }

  /** The sessions service's turn events, re-told as OpenAI `chat.completion.chunk`s. */
  private async stream(
    caller: AuthenticatedCaller,
    call: Parameters<Upstream['fetch']>[1],
    response: Response,
    meta: { id: string; created: number; model: string; includeUsage: boolean },
  ): Promise<void> {
    const abort = new AbortController();
    response.on('close', () => abort.abort());
    const answer = await this.sessions.fetch(
      caller,
      { ...call, query: { stream: 'true' } },
      abort.signal,
    );
    if (
      !(answer.headers.get('content-type') ?? '').startsWith('text/event-stream') ||
      !answer.body
    ) {
      throw upstreamError(answer.status, await answer.json().catch(() => undefined));
    }
    response.status(200);
    response.setHeader('content-type', 'text/event-stream; charset=utf-8');
    response.setHeader('cache-control', 'no-cache, no-transform');
    response.setHeader('x-accel-buffering', 'no');
    response.flushHeaders();
    const send = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      send({
        id: meta.id,
        object: 'chat.completion.chunk',
        created: meta.created,
        model: meta.model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      });
    let finished = false;
    const finish = (error?: ErrorBody) => {
      if (finished) return;
      finished = true;
      if (error) send(error);
      else response.write('data: [DONE]\n\n');
      response.end();
    };
    chunk({ role: 'assistant', content: '' }, null);
    const parser = createParser({
      onEvent: (event: EventSourceMessage) => {
        if (finished) return;
        const data = JSON.parse(event.data) as Record<string, unknown>;
        if (event.event === 'delta') chunk({ content: data.text }, null);
        else if (event.event === 'reset') {
          // What was sent cannot be taken back in this protocol: the client retries instead.
          finish({
            error: {
              code: 'stream_reset',
              message: 'The model call was retried mid-stream; repeat the request',
            },
          });
        } else if (event.event === 'done') {
          const result = data as unknown as CompletionResult;
          chunk({}, finishReason(result));
          if (meta.includeUsage) {
            send({
              id: meta.id,
              object: 'chat.completion.chunk',
              created: meta.created,
              model: meta.model,
              choices: [],
              usage: openAiUsage(result.usage),
            });
          }
          finish();
        } else if (event.event === 'error') finish(data as unknown as ErrorBody);
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const bytes of answer.body as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(bytes, { stream: true }));
        if (finished) break;
      }
    } catch {
      // the client left, or the service closed the stream
    }
    finish({
      error: {
        code: 'stream_interrupted',
        message: 'The stream ended before the reply was complete',
      },
    });
  }
}
