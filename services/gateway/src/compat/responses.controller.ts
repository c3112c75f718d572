/**
 * OpenAI's Responses API for assistants (decision 0020): `POST /v1/responses`, streamed or not,
 * with `model: "assistant/<id or share code>"`. The request is read as the chat completion it
 * means (responses-input.ts) and answered by the same sessions-service call, so the assistant's
 * prompts, model configuration, guard and the caller's bounds are decision 0016's. With
 * `store: true` (decision 0022) the response is a turn of a response chain, a session of the
 * sessions service (`POST /responses`), and `previous_response_id` continues it; `GET`,
 * `DELETE /v1/responses/{id}` and `…/input_items` read and delete what was stored, 404 for a
 * response not stored or not the caller's. `store` unset stays stateless. Errors are OpenAI's.
 */
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Optional,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import {
  ApiBody,
  ApiDefaultResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { badRequest, type ErrorBody } from '@lab/platform/http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { Authenticated, Caller } from '../identity/auth.guard';
import { SpendCapped } from '../spend/spend-cap.guard';
import { TokenBudget } from '../limits/token-budget';
import type { AuthenticatedCaller } from '../identity/caller';
import { ASSISTANTS, SESSIONS, type Upstream } from '../upstream/upstream';
import {
  completionOptions,
  type CompletionResult,
  contentText,
} from './chat-completions.controller';
import { openTurnStream, resolveAssistant } from './exchange';
import { OpenAiErrorFilter, toOpenAiError } from './openai-error';
import { type OpenAiRequest, OpenAiRequestPipe, warnIgnored } from './openai-request';
import { asChatCompletion, type StoredTurnInput, storedTurnInput } from './responses-input';
import { ResponsesDto } from './responses.dto';

/** Parameters of OpenAI's that an assistant refuses, with the reason (never silently dropped). */
const REFUSED: Record<string, string> = {
  background: 'background responses are not supported: stream instead',
  conversation: 'conversations are not supported: send the conversation as input items',
  prompt: 'prompt templates are not supported: the assistant has its own prompt',
};

const newId = (prefix: string) => `${prefix}_${randomBytes(24).toString('hex')}`;

type OutputItem = Record<string, unknown>;

/** What the sessions service keeps of a stored response to answer it again (sealed there). */
interface StoredEnvelope {
  response: ReturnType<typeof envelope>;
  messageId: string;
  json: boolean;
  input: StoredTurnInput['items'];
}

/** A stored response as the sessions service reads it back. */
interface StoredView extends CompletionResult {
  responseId: string;
  envelope: StoredEnvelope;
}

/** The sessions service's answer to a stored (or chained) response. */
interface ChainedResult extends CompletionResult {
  responseId: string | null;
}

/** The parts of the response object that do not depend on the reply. */
function envelope(body: ResponsesDto, id: string, createdAt: number) {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    model: body.model,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    temperature: body.temperature ?? null,
    top_p: body.top_p ?? null,
    tools: (body.tools ?? []).map((tool) => ({
      type: 'function',
      name: tool.name,
      description: tool.description ?? null,
      parameters: tool.parameters ?? null,
      strict: tool.strict ?? null,
    })),
    tool_choice: body.tool_choice ?? 'auto',
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    text: { format: body.text?.format ?? { type: 'text' } },
    previous_response_id: body.previous_response_id ?? null,
    store: body.store === true,
    metadata: body.metadata ?? {},
    error: null,
  };
}

/** The output items of a reply: its message (text, or in the JSON modes a refusal), its calls. */
function outputItems(result: CompletionResult, json: boolean, messageId: string): OutputItem[] {
  const calls = (result.toolCalls ?? []).map((call) => ({
    type: 'function_call',
    id: `fc_${call.id}`,
    call_id: call.id,
    name: call.function.name,
    arguments: call.function.arguments,
    status: 'completed',
  }));
  if (calls.length > 0 && result.reply === '') return calls;
  return [{ ...messageItem(messageId, 'completed', [contentPart(result, json)]) }, ...calls];
}

const messageItem = (id: string, status: string, content: unknown[]) => ({
  type: 'message',
  id,
  status,
  role: 'assistant',
  content,
});

const contentPart = (result: CompletionResult, json: boolean) =>
  json && result.guardHit
    ? { type: 'refusal', refusal: result.reply }
    : { type: 'output_text', text: result.reply, annotations: [], logprobs: [] };

/** `completed`, or `incomplete` with why: the output cap, or (outside the JSON modes) the guard. */
function status(result: CompletionResult, json: boolean) {
  if (result.guardHit && !json) {
    return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  }
  if (result.finishReason === 'length') {
    return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  }
  return { status: 'completed', incomplete_details: null };
}

/** `order`, `limit` and `after` of a list, as OpenAI reads them (a bad one is 400). */
function listQuery(query: Record<string, unknown>) {
  const details = [];
  const order = query.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') {
    details.push({ field: 'order', message: 'order must be asc or desc' });
  }
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    details.push({ field: 'limit', message: 'limit must be an integer from 1 to 100' });
  }
  const after = query.after;
  if (after !== undefined && (typeof after !== 'string' || after.length > 100)) {
    details.push({ field: 'after', message: 'after must be an item id' });
  }
  if (details.length > 0) throw badRequest('The request is not valid', details);
  return { order, limit, after: after as string | undefined };
}

const usage = (result: CompletionResult) => ({
  input_tokens: result.usage.promptTokens,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: result.usage.completionTokens,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: result.usage.promptTokens + result.usage.completionTokens,
});

@ApiTags('openai-compatible')
@Controller('v1')
@UseFilters(OpenAiErrorFilter)
@ApiDefaultResponse({
  description: 'An error, in OpenAI’s error model',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/OpenAiError' } } },
})
export class ResponsesController {
  constructor(
    @Inject(ASSISTANTS) private readonly assistants: Upstream,
    @Inject(SESSIONS) private readonly sessions: Upstream,
    @Optional() private readonly tokens?: TokenBudget,
  ) {}

  @Post('responses')
  @HttpCode(HttpStatus.OK)
  @SpendCapped('openai')
  @Authenticated('chat')
  @ApiOperation({
    summary: 'OpenAI-compatible response (Responses API) from an assistant',
    description:
      '`model` is `assistant/<id or share code>`. `input` is a string or items: messages (`user`, `assistant`, `system`, `developer`; text content), `function_call` and `function_call_output`. `instructions` is sent like a caller’s system message, right after the assistant’s prompt; `max_output_tokens` lowers the assistant’s output cap; `temperature`, `top_p`, `tools` (`{type: "function", name, description, parameters, strict}`), `tool_choice`, `parallel_tool_calls` and `text.format` (`json_object`, `json_schema`) go to the model, as in chat completions. With `stream: true` the answer is OpenAI’s event sequence (`response.created` … `response.completed`, each with `sequence_number`). `store: true` stores the response as a turn of a response chain (a session of the assistant; `store` unset is not stored): its input is one user message and system/developer items (text only; tools and function items are 400), and `previous_response_id` continues that chain (with `store: false`, without storing). A top-level parameter not listed is ignored and named in a `Warning` header. Errors are OpenAI’s.',
  })
  @ApiBody({ type: ResponsesDto })
  async create(
    @Caller() caller: AuthenticatedCaller,
    @Body(new OpenAiRequestPipe(ResponsesDto)) read: OpenAiRequest<ResponsesDto>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { body } = read;
    const refused = read.ignored.filter((name) => REFUSED[name]);
    if (refused.length > 0) {
      throw badRequest(
        'The request is not valid',
        refused.map((field) => ({ field, message: REFUSED[field] as string })),
      );
    }
    warnIgnored(response, read.ignored);
    const chat = asChatCompletion(body);
    // A stored response, or one continuing a stored chain, is a session turn (decision 0022).
    const turn =
      body.store === true || body.previous_response_id != null ? storedTurnInput(body) : null;
    const messages = chat.messages.flatMap((message, index) =>
      message.role === 'tool'
        ? []
        : [
            {
              role: message.role === 'developer' ? 'system' : message.role,
              content: contentText(message, index),
            },
          ],
    );
    const assistantId = await resolveAssistant(
      this.assistants,
      caller,
      body.model.slice('assistant/'.length),
      request,
    );
    // The caller's tokens per minute, as on chat completions: checked now, charged after.
    await this.tokens?.check(caller, response);
    const charge = (used: CompletionResult['usage']) =>
      this.tokens?.charge(caller, used) ?? Promise.resolve();
    const json = chat.response_format !== undefined;
    const id = newId('resp');
    const messageId = newId('msg');
    const createdAt = Math.floor(Date.now() / 1000);
    const base = envelope(body, id, createdAt);
    const options = completionOptions(chat);
    const call = turn
      ? {
          method: 'POST' as const,
          path: '/responses',
          body: {
            responseId: id,
            assistantId,
            ...(body.previous_response_id != null
              ? { previousResponseId: body.previous_response_id }
              : {}),
            content: turn.content,
            instructions: turn.instructions,
            options,
            envelope: { response: base, messageId, json, input: turn.items },
            store: body.store === true,
            stream: body.stream === true,
          },
          request,
          keys: 'model' as const,
        }
      : {
          method: 'POST' as const,
          path: '/completions',
          body: { assistantId, messages, stream: body.stream === true, options },
          request,
          keys: 'model' as const,
        };
    if (!body.stream) {
      const { body: result } = await this.sessions.json<ChainedResult>(caller, call);
      await charge(result.usage);
      return {
        ...base,
        // A repeated request (same Idempotency-Key) names the response its first one stored.
        ...(result.responseId ? { id: result.responseId } : {}),
        ...status(result, json),
        output: outputItems(result, json, messageId),
        usage: usage(result),
      };
    }
    await this.stream(caller, call, response, { base, messageId, json, charge });
    return undefined;
  }

  @Get('responses/:id')
  @Authenticated('chat')
  @ApiOperation({
    summary: 'A stored response, as its create answered it (decision 0022)',
    description:
      'The response object of a response created with `store: true`, its output read with the caller’s key. 404 for a response not stored, deleted, or not the caller’s.',
  })
  @ApiParam({ name: 'id', schema: { type: 'string', minLength: 1, maxLength: 100 } })
  async retrieve(
    @Caller() caller: AuthenticatedCaller,
    @Param('id') id: string,
    @Req() request: Request,
  ) {
    const stored = await this.stored(caller, id, request);
    const { response, json, messageId } = stored.envelope;
    return {
      ...response,
      ...status(stored, json),
      output: outputItems(stored, json, messageId),
      usage: usage(stored),
    };
  }

  @Get('responses/:id/input_items')
  @Authenticated('chat')
  @ApiOperation({
    summary: 'A stored response’s input items, in OpenAI’s list shape',
    description:
      'The message items the response was created with (`instructions` aside), newest first unless `order=asc`. 404 for a response not stored or not the caller’s.',
  })
  @ApiParam({ name: 'id', schema: { type: 'string', minLength: 1, maxLength: 100 } })
  @ApiQuery({ name: 'order', required: false, schema: { type: 'string', enum: ['asc', 'desc'] } })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 100 },
  })
  @ApiQuery({ name: 'after', required: false, schema: { type: 'string', maxLength: 100 } })
  async inputItems(
    @Caller() caller: AuthenticatedCaller,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
  ) {
    const page = listQuery(query);
    const stored = await this.stored(caller, id, request);
    const items = stored.envelope.input.map((item, index) => ({
      id: `msg_${stored.responseId.slice('resp_'.length)}_${index}`,
      ...item,
    }));
    if (page.order === 'desc') items.reverse();
    const start = page.after ? items.findIndex((item) => item.id === page.after) + 1 : 0;
    const data = items.slice(start, start + page.limit);
    return {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: start + data.length < items.length,
    };
  }

  @Delete('responses/:id')
  @Authenticated('chat')
  @ApiOperation({
    summary: 'Delete a stored response (decision 0022)',
    description:
      'The response is gone (`GET` is 404, it cannot be continued); its turn stays in the chain’s session, which the caller can end. 404 for a response not stored or not the caller’s.',
  })
  @ApiParam({ name: 'id', schema: { type: 'string', minLength: 1, maxLength: 100 } })
  async remove(
    @Caller() caller: AuthenticatedCaller,
    @Param('id') id: string,
    @Req() request: Request,
  ) {
    await this.sessions.json(caller, {
      method: 'DELETE',
      path: `/responses/${encodeURIComponent(id)}`,
      request,
    });
    return { id, object: 'response.deleted', deleted: true };
  }

  /** The caller's stored response, from the sessions service (opened with the data key). */
  private async stored(caller: AuthenticatedCaller, id: string, request: Request) {
    const { body } = await this.sessions.json<StoredView>(caller, {
      path: `/responses/${encodeURIComponent(id)}`,
      request,
      keys: 'data',
    });
    return body;
  }

  /** The sessions service's turn events, re-told as OpenAI's Responses stream events. */
  private async stream(
    caller: AuthenticatedCaller,
    call: Parameters<Upstream['fetch']>[1],
    response: Response,
    meta: {
      base: ReturnType<typeof envelope>;
      messageId: string;
      json: boolean;
      charge: (used: CompletionResult['usage']) => Promise<void>;
    },
  ): Promise<void> {
    const events = await openTurnStream(this.sessions, caller, call, response);
    let sequence = 0;
    const send = (type: string, fields: Record<string, unknown>) =>
      response.write(
        `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`,
      );
    const { base } = meta;
    const inProgress = {
      ...base,
      status: 'in_progress',
      incomplete_details: null,
      output: [],
      usage: null,
    };
    send('response.created', { response: inProgress });
    send('response.in_progress', { response: inProgress });

    // The message item opens with the first text (outside the JSON modes, as it comes).
    const item = { item_id: meta.messageId, output_index: 0, content_index: 0 };
    let opened = false;
    let text = '';
    const open = (part: Record<string, unknown>) => {
      opened = true;
      send('response.output_item.added', {
        output_index: 0,
        item: messageItem(meta.messageId, 'in_progress', []),
      });
      send('response.content_part.added', { ...item, part });
    };
    const emptyText = { type: 'output_text', text: '', annotations: [], logprobs: [] };
    let finished = false;
    const finish = (error?: ErrorBody) => {
      if (finished) return;
      finished = true;
      if (error) {
        const [, { error: e }] = toOpenAiError(500, error);
        send('error', { code: e.code, message: e.message, param: e.param });
      }
      response.end();
    };
    const done = (result: ChainedResult) => {
      const refusal = meta.json && result.guardHit;
      const output = outputItems(result, meta.json, meta.messageId);
      const hasMessage = output[0]?.type === 'message';
      if (hasMessage) {
        if (refusal) {
          if (!opened) open({ type: 'refusal', refusal: '' });
          send('response.refusal.delta', { ...item, delta: result.reply });
          send('response.refusal.done', { ...item, refusal: result.reply });
        } else {
          if (!opened) open(emptyText);
          // The JSON modes' reply comes whole, once guarded (and a guarded stream's rest).
          if (result.reply !== text) {
            const rest = result.reply.startsWith(text) ? result.reply.slice(text.length) : '';
            if (rest) send('response.output_text.delta', { ...item, delta: rest, logprobs: [] });
          }
          send('response.output_text.done', { ...item, text: result.reply, logprobs: [] });
        }
        send('response.content_part.done', { ...item, part: contentPart(result, meta.json) });
        send('response.output_item.done', { output_index: 0, item: output[0] });
      }
      output.forEach((entry, index) => {
        if (entry.type !== 'function_call') return;
        send('response.output_item.added', {
          output_index: index,
          item: { ...entry, arguments: '', status: 'in_progress' },
        });
        send('response.function_call_arguments.delta', {
          item_id: entry.id,
          output_index: index,
          delta: entry.arguments,
        });
        send('response.function_call_arguments.done', {
          item_id: entry.id,
          output_index: index,
          name: entry.name,
          arguments: entry.arguments,
        });
        send('response.output_item.done', { output_index: index, item: entry });
      });
      void meta.charge(result.usage);
      const state = status(result, meta.json);
      send(state.status === 'completed' ? 'response.completed' : 'response.incomplete', {
        // A repeated stored request (same Idempotency-Key) names the response its first stored.
        response: {
          ...base,
          ...(result.responseId ? { id: result.responseId } : {}),
          ...state,
          output,
          usage: usage(result),
        },
      });
      finish();
    };
    const parser = createParser({
      onEvent: (event: EventSourceMessage) => {
        if (finished) return;
        const data = JSON.parse(event.data) as Record<string, unknown>;
        if (event.event === 'delta') {
          if (meta.json || typeof data.text !== 'string' || data.text === '') return;
          if (!opened) open(emptyText);
          text += data.text;
          send('response.output_text.delta', { ...item, delta: data.text, logprobs: [] });
        } else if (event.event === 'reset') {
          // What was sent cannot be taken back in this protocol: the client retries instead.
          finish({
            error: {
              code: 'stream_reset',
              message: 'The model call was retried mid-stream; repeat the request',
            },
          });
        } else if (event.event === 'done') {
          done(data as unknown as ChainedResult);
        } else if (event.event === 'error') finish(data as unknown as ErrorBody);
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const bytes of events as AsyncIterable<Uint8Array>) {
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
