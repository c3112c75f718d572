/**
 * OpenAI compatibility: any OpenAI SDK chats with an assistant through `POST /v1/chat/completions`
 * with `model: "assistant/<id or share code>"`, streamed or not. The conversation is the
 * caller's (nothing is stored); the assistant's prompts, model configuration and guard apply,
 * and the caller's parameters within them (decision 0016). `GET /v1/models` lists the assistants
 * the caller can use, `GET /v1/models/{model}` tells one. Errors are OpenAI's (openai-error.ts).
 */
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Optional,
  Param,
  Post,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { ApiBody, ApiDefaultResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiException, badRequest, type ErrorBody } from '@lab/platform/http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { Answers, AnswersOrStreams } from '../openapi/views';
import type { Request, Response } from 'express';
import { Authenticated, Caller } from '../identity/auth.guard';
import { SpendCapped } from '../spend/spend-cap.guard';
import { TokenBudget } from '../limits/token-budget';
import type { AuthenticatedCaller } from '../identity/caller';
import { ASSISTANTS, requestIdOf, SESSIONS, type Upstream } from '../upstream/upstream';
import { ChatCompletionsDto, type ChatMessageDto } from './chat-completions.dto';
import { openTurnStream, resolveAssistant } from './exchange';
import { OpenAiErrorFilter, toOpenAiError } from './openai-error';
import { type OpenAiRequest, OpenAiRequestPipe, warnIgnored } from './openai-request';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const SHARE_CODE = /^[A-Za-z0-9-]{4,64}$/;

/** One choice as the sessions service answers it (guarded on its own). */
export interface CompletionChoiceResult {
  reply: string;
  guardHit: boolean;
  /** The model's own finish reason (`stop`, `length`, `tool_calls`). */
  finishReason?: string;
  /** The model's calls of the caller's functions (guarded: none when the reply leaked). */
  toolCalls?: Array<{
    id: string;
    type: 'function';
    function: { name: string; arguments: string };
  }>;
  /** Its tokens' log probabilities in OpenAI's shape (asked for, and the choice not guarded). */
  logprobs?: unknown[];
}

export interface CompletionResult extends CompletionChoiceResult {
  turnId: string;
  usage: { promptTokens: number; completionTokens: number };
  model: string;
  /** With `n` > 1: the choices after the first. */
  choices?: CompletionChoiceResult[];
}

interface AssistantSummary {
  id: string;
  code: string;
  name: string;
  createdAt: string;
  createdByYou: boolean;
  /** The creator's view only. */
  activeModelConfigVersion?: { model?: string } | null;
}

/**
 * How a reply ends. A guarded reply is `content_filter`, except in the JSON modes: there it is a
 * refusal (`message.refusal`, no content), which ends with `stop` as OpenAI's own refusals do
 * (and which the SDKs' `.parse()` reads as a refusal instead of throwing).
 */
function finishReason(result: CompletionChoiceResult, json: boolean): string {
  if (result.guardHit) return json ? 'stop' : 'content_filter';
  if (result.toolCalls && result.toolCalls.length > 0) return 'tool_calls';
  return result.finishReason === 'length' ? 'length' : 'stop';
}

/**
 * The assistant's message: its text (none beside calls of the caller's functions, as OpenAI
 * has it), or in the JSON modes a guarded reply as a refusal.
 */
function replyMessage(result: CompletionChoiceResult, json: boolean) {
  if (json && result.guardHit) return { role: 'assistant', content: null, refusal: result.reply };
  const calls = result.toolCalls ?? [];
  if (calls.length === 0) return { role: 'assistant', content: result.reply, refusal: null };
  return {
    role: 'assistant',
    content: result.reply === '' ? null : result.reply,
    refusal: null,
    tool_calls: calls,
  };
}

/**
 * A choice's log probabilities as OpenAI answers them when asked: none for a choice the guard
 * replaced (they would spell out what it blocked).
 */
const choiceLogprobs = (choice: CompletionChoiceResult, asked: boolean) =>
  asked && !choice.guardHit && choice.logprobs ? { content: choice.logprobs, refusal: null } : null;

/** Every choice of a result, the first one first. */
const allChoices = (result: CompletionResult): CompletionChoiceResult[] => [
  result,
  ...(result.choices ?? []),
];

/** Whether the request involves the caller's functions: offered, called or answered. */
const withTools = (body: ChatCompletionsDto) =>
  (body.tools?.length ?? 0) > 0 ||
  body.messages.some((m) => m.role === 'tool' || (m.tool_calls?.length ?? 0) > 0);

/** The conversation in OpenAI's shape (system and developer messages aside: instructions). */
function toolConversation(body: ChatCompletionsDto) {
  return body.messages.flatMap((message, index) => {
    if (message.role === 'system' || message.role === 'developer') return [];
    const text = contentText(message, index);
    return [
      {
        role: message.role,
        content: message.role === 'assistant' && text === '' ? null : text,
        ...(message.tool_calls?.length
          ? {
              tool_calls: message.tool_calls.map((call) => ({
                id: call.id,
                type: 'function' as const,
                function: { name: call.function.name, arguments: call.function.arguments },
              })),
            }
          : {}),
        ...(message.tool_call_id ? { tool_call_id: message.tool_call_id } : {}),
      },
    ];
  });
}

/** An OpenAI model object for an assistant: which assistant, and its base model when shown. */
function modelObject(assistant: AssistantSummary) {
  return {
    id: `assistant/${assistant.code}`,
    object: 'model',
    created: Math.floor(Date.parse(assistant.createdAt) / 1000),
    owned_by: assistant.createdByYou ? 'you' : 'platform',
    assistant: { id: assistant.id, code: assistant.code, name: assistant.name },
    // The model configuration is the creator's to see (as in the assistant's own view).
    base_model: assistant.activeModelConfigVersion?.model ?? null,
  };
}

export const modelNotFound = (model: string) =>
  new ApiException(
    HttpStatus.NOT_FOUND,
    'model_not_found',
    `The model ${JSON.stringify(model)} does not exist`,
  );

/** Parameters OpenAI has that an assistant refuses, with the reason (never silently dropped). */
const REFUSED: Record<string, string> = {
  functions: 'the legacy functions parameter is not supported: use tools',
  function_call: 'the legacy function_call parameter is not supported: use tool_choice',
  audio: 'audio output is not supported by assistants',
  prediction: 'predicted outputs are not supported by assistants',
};

const openAiUsage = (usage: CompletionResult['usage']) => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.promptTokens + usage.completionTokens,
});

/** Message content as text: a string, or the text parts of an array (none: empty). */
export function contentText(message: ChatMessageDto, index: number): string {
  if (typeof message.content === 'string') return message.content;
  if (message.content === null || message.content === undefined) return '';
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

/** What the caller asked of this completion, for the sessions service (within the assistant's bounds). */
export function completionOptions(body: ChatCompletionsDto) {
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  const stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  return {
    ...(maxTokens != null ? { maxTokens } : {}),
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { topP: body.top_p } : {}),
    ...(body.presence_penalty != null ? { presencePenalty: body.presence_penalty } : {}),
    ...(body.frequency_penalty != null ? { frequencyPenalty: body.frequency_penalty } : {}),
    ...(body.seed != null ? { seed: body.seed } : {}),
    ...(stop && stop.length > 0 ? { stop } : {}),
    ...(body.n != null && body.n > 1 ? { n: body.n } : {}),
    ...(body.logprobs === true ? { logprobs: true } : {}),
    ...(body.top_logprobs != null ? { topLogprobs: body.top_logprobs } : {}),
    ...(withTools(body) ? toolOptions(body) : {}),
    ...responseFormatOption(body),
  };
}

/** The caller's functions, its choice among them, and the conversation that calls them. */
function toolOptions(body: ChatCompletionsDto) {
  const tools = (body.tools ?? []).map(({ function: fn }) => ({
    type: 'function' as const,
    function: {
      name: fn.name,
      ...(fn.description ? { description: fn.description } : {}),
      ...(fn.parameters ? { parameters: fn.parameters } : {}),
      ...(fn.strict != null ? { strict: fn.strict } : {}),
    },
  }));
  return {
    ...(tools.length > 0 ? { tools } : {}),
    ...(body.tool_choice !== undefined ? { toolChoice: body.tool_choice } : {}),
    ...(body.parallel_tool_calls != null ? { parallelToolCalls: body.parallel_tool_calls } : {}),
    conversation: toolConversation(body),
  };
}

function responseFormatOption(body: ChatCompletionsDto) {
  const format = body.response_format;
  if (!format || format.type === 'text') return {};
  if (format.type === 'json_object' || !format.json_schema) {
    return { responseFormat: { type: 'json_object' as const } };
  }
  const { name, description, schema, strict } = format.json_schema;
  return {
    responseFormat: {
      type: 'json_schema' as const,
      jsonSchema: {
        name,
        ...(description ? { description } : {}),
        schema: schema ?? {},
        strict: strict === true,
      },
    },
  };
}

@ApiTags('openai-compatible')
@Controller('v1')
@UseFilters(OpenAiErrorFilter)
@ApiDefaultResponse({
  description: 'An error, in OpenAI’s error model',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/OpenAiError' } } },
})
export class ChatCompletionsController {
  constructor(
    @Inject(ASSISTANTS) private readonly assistants: Upstream,
    @Inject(SESSIONS) private readonly sessions: Upstream,
    @Optional() private readonly tokens?: TokenBudget,
  ) {}

  @Post('chat/completions')
  @HttpCode(HttpStatus.OK)
  @SpendCapped('openai')
  @Authenticated('chat')
  @ApiOperation({
    summary: 'OpenAI-compatible chat completion with an assistant',
    description:
      '`model` is `assistant/<id or share code>`. The assistant’s prompt, guard and model configuration apply; the caller’s `system`/`developer` messages are sent right after the assistant’s prompt, `max_tokens`/`max_completion_tokens` lower its output cap (never raise it), `temperature`, `top_p`, penalties, `seed`, `stop`, `response_format` and `tools` (with `tool_choice`, `parallel_tool_calls`, and `tool` messages in the history) go to the model; a call carrying the assistant’s prompt is guarded like a reply. `n` (at most 8) asks for several choices, each guarded on its own; `logprobs`/`top_logprobs` return the model’s log probabilities, `null` for a guarded choice (chat models only; streamed, every choice comes sentence by sentence with its `index` once its own guard has passed it, each sentence with the tokens it completes). A top-level parameter not listed here is ignored and named in a `Warning` header. A guarded reply ends with `finish_reason: "content_filter"`; in the JSON modes it is a `refusal`. Errors are OpenAI’s `{ error: { message, type, param, code } }`; a spend cap is 429 `insufficient_quota`.',
  })
  @ApiBody({ type: ChatCompletionsDto })
  @AnswersOrStreams('ChatCompletion')
  async complete(
    @Caller() caller: AuthenticatedCaller,
    @Body(new OpenAiRequestPipe(ChatCompletionsDto)) read: OpenAiRequest<ChatCompletionsDto>,
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
    // The conversation's text; with tools, the messages themselves go along (the options).
    const messages = body.messages.flatMap((message, index) =>
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
    // The caller's tokens per minute: checked now, charged with the real usage afterwards.
    await this.tokens?.check(caller, response);
    const charge = (usage: CompletionResult['usage']) =>
      this.tokens?.charge(caller, usage) ?? Promise.resolve();
    const json = body.response_format !== undefined && body.response_format.type !== 'text';
    const logprobs = body.logprobs === true;
    const call = {
      method: 'POST' as const,
      path: '/completions',
      body: {
        assistantId,
        messages,
        stream: body.stream === true,
        options: completionOptions(body),
      },
      request,
      keys: 'model' as const,
    };
    const id = `chatcmpl-${requestIdOf(request) ?? Date.now()}`;
    const created = Math.floor(Date.now() / 1000);
    if (!body.stream) {
      const { body: result } = await this.sessions.json<CompletionResult>(caller, call);
      await charge(result.usage);
      return {
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices: allChoices(result).map((choice, index) => ({
          index,
          message: replyMessage(choice, json),
          logprobs: choiceLogprobs(choice, logprobs),
          finish_reason: finishReason(choice, json),
        })),
        usage: openAiUsage(result.usage),
      };
    }
    await this.stream(caller, call, response, {
      id,
      created,
      model: body.model,
      includeUsage: body.stream_options?.include_usage === true,
      json,
      logprobs,
      choices: body.n ?? 1,
      charge,
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
      .map(modelObject);
    return { object: 'list', data };
  }

  // The SDKs send the name as one path segment, its slash encoded (`assistant%2FCODE`).
  @Get('models/:model')
  @Authenticated('chat')
  @ApiOperation({ summary: 'One assistant as a model: which assistant, and its base model' })
  @ApiParam({
    name: 'model',
    description: '`assistant/<id or share code>`, URL-encoded as one path segment',
    schema: { type: 'string', maxLength: 80 },
  })
  @Answers('Model')
  async model(
    @Caller() caller: AuthenticatedCaller,
    @Param('model') model: string,
    @Req() request: Request,
  ): Promise<ReturnType<typeof modelObject>> {
    const name = model.startsWith('assistant/') ? model.slice('assistant/'.length) : '';
    const path = UUID.test(name)
      ? `/assistants/${name.toLowerCase()}`
      : `/assistants/by-code/${encodeURIComponent(name)}`;
    try {
      if (!UUID.test(name) && !SHARE_CODE.test(name)) throw modelNotFound(model);
      const { body } = await this.assistants.json<AssistantSummary>(caller, { path, request });
      return modelObject(body);
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() === 404) throw modelNotFound(model);
      throw error;
    }
  }

  /** The sessions service's turn events, re-told as OpenAI `chat.completion.chunk`s. */
  private async stream(
    caller: AuthenticatedCaller,
    call: Parameters<Upstream['fetch']>[1],
    response: Response,
    meta: {
      id: string;
      created: number;
      model: string;
      includeUsage: boolean;
      json: boolean;
      logprobs: boolean;
      /** How many choices were asked for (`n`). */
      choices: number;
      charge: (usage: CompletionResult['usage']) => Promise<void>;
    },
  ): Promise<void> {
    const events = await openTurnStream(this.sessions, caller, call, response);
    const send = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`);
    const chunk = (
      delta: Record<string, unknown>,
      finish: string | null,
      index = 0,
      logprobs: unknown = null,
    ) =>
      send({
        id: meta.id,
        object: 'chat.completion.chunk',
        created: meta.created,
        model: meta.model,
        choices: [{ index, delta, logprobs, finish_reason: finish }],
      });
    let finished = false;
    const finish = (error?: ErrorBody) => {
      if (finished) return;
      finished = true;
      if (error) send(toOpenAiError(500, error)[1]);
      else response.write('data: [DONE]\n\n');
      response.end();
    };
    for (let index = 0; index < meta.choices; index++) {
      chunk({ role: 'assistant', content: '' }, null, index);
    }
    const parser = createParser({
      onEvent: (event: EventSourceMessage) => {
        if (finished) return;
        const data = JSON.parse(event.data) as Record<string, unknown>;
        // In the JSON modes the reply goes out whole at the end: valid JSON, or a refusal.
        if (event.event === 'delta') {
          // A choice's guarded sentence, with the log probabilities of the tokens it completes.
          const tokens = meta.logprobs && Array.isArray(data.logprobs) ? data.logprobs : undefined;
          const index = typeof data.index === 'number' ? data.index : 0;
          if (!meta.json) {
            chunk(
              { content: data.text },
              null,
              index,
              tokens ? { content: tokens, refusal: null } : null,
            );
          }
        } else if (event.event === 'reset') {
          // What was sent cannot be taken back in this protocol: the client retries instead.
          finish({
            error: {
              code: 'stream_reset',
              message: 'The model call was retried mid-stream; repeat the request',
            },
          });
        } else if (event.event === 'done') {
          const result = data as unknown as CompletionResult;
          void meta.charge(result.usage);
          allChoices(result).forEach((choice, index) => {
            // Every choice's text has streamed, sentence by sentence once its guard passed it;
            // JSON replies go out whole now.
            if (meta.json) {
              chunk(
                choice.guardHit ? { refusal: choice.reply } : { content: choice.reply },
                null,
                index,
                choiceLogprobs(choice, meta.logprobs),
              );
            }
            // Calls of the caller's functions come whole, once guarded: one delta per call.
            (choice.toolCalls ?? []).forEach((call, position) =>
              chunk({ tool_calls: [{ index: position, ...call }] }, null, index),
            );
            chunk({}, finishReason(choice, meta.json), index);
          });
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
