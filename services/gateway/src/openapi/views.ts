/**
 * JSON Schemas of what the public API answers, referenced by the controllers' @ApiOkResponse.
 * They describe the services' views (assistant.views.ts, session.views.ts) as the gateway passes
 * them on; the end-to-end tests check real answers against them.
 */
import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

type Schema = Record<string, unknown>;

const string = { type: 'string' };
const nullableString = { type: 'string', nullable: true };
const integer = { type: 'integer' };
const dateTime = { type: 'string', format: 'date-time' };
const uuid = { type: 'string', format: 'uuid' };
const number = { type: 'number' };
const date = { type: 'string', format: 'date' };
const usdOrNull = { type: 'number', nullable: true };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const object = (properties: Record<string, unknown>, optional: string[] = []): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((name) => !optional.includes(name)),
});
/** One token of a reply, as OpenAI's log probabilities give it (and its alternatives). */
const tokenFields = {
  token: string,
  logprob: number,
  bytes: { type: 'array', nullable: true, items: integer },
};
const tokenLogprob = object({
  ...tokenFields,
  top_logprobs: { type: 'array', items: object(tokenFields) },
});
const page = (item: string) =>
  object({ items: { type: 'array', items: ref(item) }, nextCursor: nullableString });

const usage = object({ promptTokens: integer, completionTokens: integer });
const thread = object({
  summary: nullableString,
  messages: {
    type: 'array',
    items: object({ role: { type: 'string', enum: ['user', 'assistant'] }, content: string }),
  },
});

const publicAssistant = {
  id: uuid,
  code: string,
  name: string,
  tagLine: string,
  description: string,
  sessionType: { type: 'string', enum: ['brainstorm', 'coach'] },
  showcased: { type: 'boolean' },
  active: { type: 'boolean' },
  sessionsStarted: integer,
  sessionsEnded: integer,
  createdAt: dateTime,
  modifiedAt: dateTime,
  createdByYou: { type: 'boolean' },
};

const session = object({
  id: uuid,
  assistantId: uuid,
  promptVersionId: uuid,
  modelConfigVersionId: uuid,
  status: { type: 'string', enum: ['active', 'ended'] },
  messageCount: integer,
  turnCount: integer,
  usage,
  guardHits: integer,
  createdAt: dateTime,
  modifiedAt: dateTime,
  endedAt: { ...dateTime, nullable: true },
});

const turnResult = {
  turnId: string,
  reply: string,
  guardHit: { type: 'boolean' },
  usage,
  model: string,
  condensed: { type: 'string', enum: ['keep', 'truncate', 'summarise'] },
};

const periodBudget = object({
  since: { ...date, description: 'The period’s first UTC day' },
  resetsAt: dateTime,
  spentUsd: number,
  capUsd: usdOrNull,
  remainingUsd: usdOrNull,
});

const usageTotalsFields = {
  turns: integer,
  promptTokens: integer,
  completionTokens: integer,
  costUsd: number,
  guardHits: integer,
};
const usageTotals = object(usageTotalsFields);

export const ERROR_SCHEMA: Schema = object({
  error: object(
    {
      code: string,
      message: string,
      details: {
        type: 'array',
        items: object({ field: string, message: string }, ['field']),
      },
    },
    ['details'],
  ),
});

/** An assistant as an OpenAI model: which assistant, and its base model (the creator's view). */
const model = object({
  id: string,
  object: { type: 'string', enum: ['model'] },
  created: integer,
  owned_by: string,
  assistant: object({ id: uuid, code: string, name: string }),
  base_model: nullableString,
});

export const VIEW_SCHEMAS: Record<string, Schema> = {
  Usage: usage,
  Thread: thread,
  /** Prompts and model configuration are present only for the assistant's creator. */
  Assistant: object(
    {
      ...publicAssistant,
      version: integer,
      guardThreshold: { type: 'number' },
      guardCanary: { type: 'boolean' },
      guardSemantic: { type: 'boolean' },
      guardSemanticThreshold: { type: 'number' },
      activePromptVersion: { type: 'object', nullable: true },
      activeModelConfigVersion: { type: 'object', nullable: true },
    },
    [
      'version',
      'guardThreshold',
      'guardCanary',
      'guardSemantic',
      'guardSemanticThreshold',
      'activePromptVersion',
      'activeModelConfigVersion',
    ],
  ),
  AssistantPage: page('Assistant'),
  Session: session,
  SessionPage: page('Session'),
  AssistantDetails: object({ assistant: ref('Assistant'), sessions: ref('SessionPage') }),
  StartedSession: object({
    session: ref('Session'),
    message: object({ role: { type: 'string', enum: ['assistant'] }, content: string }),
    guardHit: { type: 'boolean' },
  }),
  ResumedSession: object({
    session: ref('Session'),
    messages: {
      type: 'array',
      items: object({
        position: integer,
        role: { type: 'string', enum: ['user', 'assistant'] },
        content: string,
        createdAt: dateTime,
      }),
    },
    payload: ref('Thread'),
    recap: nullableString,
  }),
  TurnResult: object(turnResult),
  LabTurnResult: object({ ...turnResult, thread: ref('Thread') }),
  EndedSession: object({ sessionId: uuid, recap: string, usage, session: ref('Session') }),
  Me: object({
    id: uuid,
    kind: { type: 'string', enum: ['byok', 'oidc', 'api_key'] },
    scopes: { type: 'array', items: string },
    createdAt: dateTime,
    counters: object({
      sessionsStarted: integer,
      sessionsEnded: integer,
      assistantsCreated: integer,
    }),
  }),
  KeyRotation: object({
    state: {
      type: 'string',
      enum: ['running', 'paused', 'done'],
      description:
        'running: the history is moving to the new data key; paused: it stopped (its keys expired) and this read resumes it; done: nothing the platform holds opens with the old key',
    },
    done: { ...integer, description: 'Sessions moved so far' },
    total: { ...integer, description: 'Sessions to move (counted when the rotation started)' },
    startedAt: dateTime,
    finishedAt: { ...dateTime, nullable: true },
  }),
  ApiKey: object(
    {
      id: uuid,
      userId: uuid,
      name: string,
      prefix: string,
      scopes: { type: 'array', items: string },
      createdAt: dateTime,
      lastUsedAt: { ...dateTime, nullable: true },
      revokedAt: { ...dateTime, nullable: true },
      spendCaps: object({ dailyUsd: usdOrNull, weeklyUsd: usdOrNull, monthlyUsd: usdOrNull }),
      key: { type: 'string', description: 'The secret: in the creation answer only' },
    },
    ['key'],
  ),
  ApiKeyList: object({ items: { type: 'array', items: ref('ApiKey') } }),
  PeriodBudget: periodBudget,
  Budget: object({
    id: uuid,
    daily: ref('PeriodBudget'),
    weekly: ref('PeriodBudget'),
    monthly: ref('PeriodBudget'),
  }),
  MyUsage: object({
    user: ref('Budget'),
    apiKey: { allOf: [ref('Budget')], nullable: true },
    remainingUsd: { ...usdOrNull, description: 'The tightest remaining budget; null: no cap' },
    asOf: dateTime,
  }),
  UsageReport: object({
    from: date,
    to: date,
    groupBy: { type: 'string', enum: ['day', 'user', 'assistant', 'model', 'apiKey'] },
    totals: usageTotals,
    groups: {
      type: 'array',
      items: object({
        key: { type: 'string', nullable: true, description: 'null: no API key, or a lab draft' },
        ...usageTotalsFields,
      }),
    },
  }),
  OpsMetrics: object({
    configured: { type: 'boolean', description: 'false: PROMETHEUS_URL is not set (no panels)' },
    from: dateTime,
    to: dateTime,
    stepSeconds: integer,
    panels: {
      type: 'array',
      items: object({
        id: string,
        title: string,
        unit: { type: 'string', enum: ['perSecond', 'seconds', 'count', 'events'] },
        series: {
          type: 'array',
          items: object({
            name: string,
            points: {
              type: 'array',
              description: '[unix seconds, value or null]',
              items: {
                type: 'array',
                minItems: 2,
                maxItems: 2,
                items: { type: 'number', nullable: true },
              },
            },
          }),
        },
      }),
    },
  }),
  Counters: object({
    asOf: dateTime,
    users: object({
      total: integer,
      people: integer,
      systems: integer,
      active: object({ today: integer, last7Days: integer, last30Days: integer }),
    }),
    sessions: object({ started: integer, ended: integer }),
    assistants: object({ created: integer }),
  }),
  ChatCompletion: object({
    id: string,
    object: { type: 'string', enum: ['chat.completion'] },
    created: integer,
    model: string,
    choices: {
      type: 'array',
      items: object({
        index: integer,
        // In the JSON modes a guarded reply is a refusal: `content` null, `refusal` the text.
        message: object(
          {
            role: string,
            content: nullableString,
            refusal: nullableString,
            tool_calls: {
              type: 'array',
              items: object({
                id: string,
                type: { type: 'string', enum: ['function'] },
                function: object({ name: string, arguments: string }),
              }),
            },
          },
          ['tool_calls'],
        ),
        // Asked for (`logprobs: true`) and the choice not guarded: the reply's tokens.
        logprobs: {
          ...object({
            content: { type: 'array', nullable: true, items: tokenLogprob },
            refusal: { type: 'array', nullable: true, items: tokenLogprob },
          }),
          nullable: true,
        },
        finish_reason: { type: 'string', enum: ['stop', 'length', 'tool_calls', 'content_filter'] },
      }),
    },
    usage: object({ prompt_tokens: integer, completion_tokens: integer, total_tokens: integer }),
  }),
  ModelRegistry: object({
    items: {
      type: 'array',
      items: object({
        id: string,
        endpoint: { type: 'string', enum: ['chat', 'completion'] },
        contextWindow: integer,
        maxOutputTokens: integer,
        priceUsdPerMillionTokens: object({ input: number, output: number }),
      }),
    },
  }),
  Model: model,
  ModelList: object({
    object: { type: 'string', enum: ['list'] },
    data: { type: 'array', items: ref('Model') },
  }),
  /**
   * OpenAI's error model, on the OpenAI-compatible routes (`details` as in the platform's). What
   * is refused before the route (a body past the limit, malformed or too deep JSON, bad text)
   * answers in the platform's model: `code` and `message`, without `type` and `param`.
   */
  OpenAiError: object({
    error: object(
      {
        message: string,
        type: string,
        param: nullableString,
        code: nullableString,
        details: {
          type: 'array',
          items: object({ field: string, message: string }, ['field']),
        },
      },
      ['details', 'type', 'param'],
    ),
  }),
};

/** Documents a route's success answer with one of the schemas above. */
export const Answers = (view: keyof typeof VIEW_SCHEMAS, status: HttpStatus = HttpStatus.OK) =>
  applyDecorators(
    ApiResponse({
      status,
      description: view,
      content: { 'application/json': { schema: ref(view) } },
    }),
  );

/** The Server-Sent Events of a streamed turn (`event:` name → its `data:` JSON). */
export const STREAMED_TURN_EVENTS: Record<string, Schema> = {
  delta: object({ type: { type: 'string', enum: ['delta'] }, text: string }),
  reset: object({ type: { type: 'string', enum: ['reset'] }, attempt: integer }),
  guarded: object({ type: { type: 'string', enum: ['guarded'] } }),
  done: ref('TurnResult'),
  error: ref('Error'),
};

/**
 * One Server-Sent Event as OpenAPI 3.0 reads an event stream's schema (each event: its name and
 * its `data:` text, as OpenAPI 3.2's `itemSchema` has it); what each event's data holds is in
 * `x-events`, as JSON Schemas.
 */
export const sseEvent = (events: Record<string, Schema>) => ({
  schema: {
    type: 'object',
    required: ['event', 'data'],
    properties: {
      event: { type: 'string', enum: Object.keys(events) },
      data: { type: 'string', description: 'JSON (see x-events), or `[DONE]` at the end' },
      id: { type: 'string' },
      retry: { type: 'integer' },
    },
  },
  'x-events': events,
});

/** Documents a streamed answer: 200 `text/event-stream` with its events. */
export const Streams = (events: Record<string, Schema>) =>
  ApiResponse({
    status: HttpStatus.OK,
    description: `Server-Sent Events: ${Object.keys(events)
      .map((name) => `\`${name}\``)
      .join(', ')}; each \`data:\` is JSON (see \`x-events\`)`,
    content: { 'text/event-stream': sseEvent(events) },
  });

/** A chat completion, or with `stream: true` its chunks as OpenAI streams them (`message` events). */
export const AnswersOrStreams = (view: keyof typeof VIEW_SCHEMAS) =>
  ApiResponse({
    status: HttpStatus.OK,
    description: `${view}, or with \`stream: true\` Server-Sent Events of chat.completion.chunk objects ending with \`[DONE]\``,
    content: {
      'application/json': { schema: ref(view) },
      'text/event-stream': sseEvent({ message: { type: 'object' } }),
    },
  });
