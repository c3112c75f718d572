/**
 * The OpenAI-compatible mock server: `/v1/models`, `/v1/chat/completions`, `/v1/completions`,
 * `/v1/embeddings` (embeddings.ts)
 * and the admin API under `/_mock/`. Plain `node:http`, no framework: the per-request work is
 * a JSON parse, the token counts and one write.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { parseDirective } from './directive';
import { embeddings } from './embeddings';
import { ScriptStore } from './scripts';
import {
  applyStop,
  deterministicReply,
  excerpt,
  partialLeakReply,
  splitDeltas,
  truncateToTokens,
} from './text';
import { formatReply, instanceOf, type ResponseFormat } from './structured';
import { legacyColumns, replyLogprobs, type TokenLogprob } from './logprobs';
import { countChat, countText, preloadTokenizers } from './tokens';
import type {
  Endpoint,
  MockBehaviour,
  MockLlm,
  MockLlmOptions,
  MockScript,
  RecordedRequest,
  RequestFilter,
  Sighting,
} from './types';
import { validateBehaviour } from './validate';

export const DEFAULT_MODELS: readonly string[] = [
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4.1-mini',
  'gpt-4.1',
  'gpt-3.5-turbo',
  'gpt-3.5-turbo-instruct',
  'text-davinci-003',
];

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MODEL_CREATED = 1_700_000_000;
const FINGERPRINT = 'fp_mock';
const CHAT_ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};
const DONE = 'data: [DONE]\n\n';

/** An OpenAI-shaped error response. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function invalid(message: string, param: string | null, code: string | null = null): ApiError {
  return new ApiError(400, message, 'invalid_request_error', param, code);
}

function missing(param: string): ApiError {
  return invalid(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function invalidType(param: string, expected: string, value: unknown): ApiError {
  return invalid(
    `Invalid type for '${param}': expected ${expected}, but got ${typeName(value)} instead.`,
    param,
    'invalid_type',
  );
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A validated generation request, whichever endpoint it came from. */
interface Job {
  endpoint: Endpoint;
  model: string;
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number | undefined;
  stops: string[];
  promptTokens: number;
  /** Where scripts look for `match` and directives are read: last user message or prompt. */
  matchText: string;
  /** Choices to answer (`n`, 1 to 128). */
  n: number;
  /** Log probabilities of the reply's tokens, with this many alternatives each (0 to 20; legacy 0 to 5). */
  logprobs: { top: number } | undefined;
  /**
   * Called with the text left once a directive is removed from `matchText`, and the choice's
   * index (each choice of a request gets its own reply).
   */
  defaultReply: (text: string, choice: number) => string;
  /** The system prompt `leak_*` faults disclose. */
  systemPrompt: (text: string) => string;
  /** Chat only: `response_format` (the default reply in that format; scripted replies as given). */
  format: ResponseFormat;
  /**
   * Chat only: the function the model calls instead of replying — with `tools` (and
   * `tool_choice` not `none`) unless the conversation ends with tool results.
   */
  toolCall?: { name: string; parameters: Record<string, unknown> };
}

/** `tools` and `tool_choice`, checked as the real API checks them: the function to call, if any. */
function parseTools(body: Record<string, unknown>, lastRole: string | undefined): Job['toolCall'] {
  const tools = body.tools;
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw invalidType('tools', 'an array', tools);
  const functions = tools.map((tool: unknown, i) => {
    const fn = isRecord(tool) ? tool.function : undefined;
    if (!isRecord(tool) || tool.type !== 'function' || !isRecord(fn)) {
      throw invalid(`Invalid 'tools[${i}]': expected a function tool.`, `tools[${i}]`);
    }
    if (typeof fn.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(fn.name)) {
      throw invalid(
        `Invalid 'tools[${i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        `tools[${i}].function.name`,
        'invalid_value',
      );
    }
    return { name: fn.name, parameters: isRecord(fn.parameters) ? fn.parameters : {} };
  });
  const choice = body.tool_choice ?? 'auto';
  if (choice === 'none' || functions.length === 0 || lastRole === 'tool') return undefined;
  if (isRecord(choice) && isRecord(choice.function)) {
    const named = functions.find((f) => f.name === (choice.function as { name?: unknown }).name);
    if (!named) {
      throw invalid(
        "Invalid value for 'tool_choice': no function by that name in 'tools'.",
        'tool_choice',
      );
    }
    return named;
  }
  return functions[0];
}

/** `response_format`, checked as the real API checks it. */
function parseResponseFormat(body: Record<string, unknown>, texts: string[]): ResponseFormat {
  const format = body.response_format;
  if (format === undefined || format === null) return { type: 'text' };
  if (!isRecord(format)) throw invalidType('response_format', 'an object', format);
  if (format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') {
    if (!texts.some((text) => /json/i.test(text))) {
      throw invalid(
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        'messages',
      );
    }
    return { type: 'json_object' };
  }
  if (format.type === 'json_schema') {
    const spec = format.json_schema;
    if (!isRecord(spec)) throw missing('response_format.json_schema');
    if (typeof spec.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(spec.name)) {
      throw invalid(
        "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
        'response_format.json_schema.name',
        'invalid_value',
      );
    }
    const schema = spec.schema ?? {};
    if (!isRecord(schema)) {
      throw invalidType('response_format.json_schema.schema', 'an object', schema);
    }
    if (spec.strict === true && schema.type !== 'object') {
      throw invalid(
        "Invalid schema for response_format '" +
          spec.name +
          "': schema must be a JSON Schema of 'type: \"object\"', got 'type: \"" +
          String(schema.type) +
          '"\'.',
        'response_format',
        'invalid_value',
      );
    }
    return { type: 'json_schema', name: spec.name, schema };
  }
  throw invalid(
    `Invalid value: '${String(format.type)}'. Supported values are: 'text', 'json_object', and 'json_schema'.`,
    'response_format.type',
    'invalid_value',
  );
}

function contentText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) {
    throw invalidType(param, 'one of a string or an array of objects', content);
  }
  let text = '';
  content.forEach((part: unknown, i) => {
    if (!isRecord(part)) throw invalidType(`${param}[${i}]`, 'an object', part);
    if (part.type === 'text' && typeof part.text === 'string') text += part.text;
  });
  return text;
}

/** The raw text of the last user message of a (possibly invalid) chat body. */
function lastUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m: unknown = messages[i];
    if (isRecord(m) && m.role === 'user') {
      try {
        return contentText(m.content, 'content');
      } catch {
        return '';
      }
    }
  }
  return '';
}

function matchTextOf(body: unknown): string {
  if (!isRecord(body)) return '';
  if (typeof body.prompt === 'string') return body.prompt;
  return lastUserText(body.messages);
}

function parseCommon(body: Record<string, unknown>, models: ReadonlySet<string>) {
  const model = body.model;
  if (model === undefined || model === null) throw missing('model');
  if (typeof model !== 'string') throw invalidType('model', 'a string', model);
  if (!models.has(model)) {
    throw new ApiError(
      404,
      `The model \`${model}\` does not exist or you do not have access to it.`,
      'invalid_request_error',
      'model',
      'model_not_found',
    );
  }
  const stream = body.stream ?? false;
  if (typeof stream !== 'boolean') throw invalidType('stream', 'a boolean', stream);
  const options = body.stream_options;
  let includeUsage = false;
  if (options !== undefined && options !== null) {
    if (!stream) {
      throw invalid(
        "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        'stream_options',
        'invalid_value',
      );
    }
    if (!isRecord(options)) throw invalidType('stream_options', 'an object', options);
    includeUsage = options.include_usage === true;
  }
  let stops: string[] = [];
  const stop = body.stop;
  if (typeof stop === 'string') stops = [stop];
  else if (Array.isArray(stop)) {
    if (stop.length > 4) {
      throw invalid(
        `Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length ${stop.length} instead.`,
        'stop',
        'array_above_max_length',
      );
    }
    stops = stop.map((s: unknown, i) => {
      if (typeof s !== 'string') throw invalidType(`stop[${i}]`, 'a string', s);
      return s;
    });
  } else if (stop !== undefined && stop !== null) {
    throw invalidType('stop', 'one of a string or an array of strings', stop);
  }
  const n = parseInteger(body, 'n', 1, 128) ?? 1;
  return { model, stream, includeUsage, stops, n };
}

/** An optional integer parameter within [min, max], refused as the real API refuses it. */
function parseInteger(
  body: Record<string, unknown>,
  param: string,
  min: number,
  max: number,
): number | undefined {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidType(param, 'an integer', value);
  }
  if (value < min) {
    throw invalid(
      `Invalid '${param}': integer below minimum value. Expected a value >= ${min}, but got ${value} instead.`,
      param,
      'integer_below_min_value',
    );
  }
  if (value > max) {
    throw invalid(
      `Invalid '${param}': integer above maximum value. Expected a value <= ${max}, but got ${value} instead.`,
      param,
      'integer_above_max_value',
    );
  }
  return value;
}

/** Chat's `logprobs` (a boolean) and `top_logprobs` (0 to 20, only with `logprobs`). */
function parseChatLogprobs(body: Record<string, unknown>): Job['logprobs'] {
  const logprobs = body.logprobs ?? false;
  if (typeof logprobs !== 'boolean') throw invalidType('logprobs', 'a boolean', logprobs);
  const top = parseInteger(body, 'top_logprobs', 0, 20);
  if (top !== undefined && !logprobs) {
    throw invalid(
      "The 'top_logprobs' parameter is only allowed when 'logprobs' is enabled.",
      'top_logprobs',
    );
  }
  return logprobs ? { top: top ?? 0 } : undefined;
}

function parseMaxTokens(body: Record<string, unknown>, param: string): number | undefined {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidType(param, 'an integer', value);
  }
  if (value < 1) {
    throw invalid(
      `Invalid '${param}': integer below minimum value. Expected a value >= 1, but got ${value} instead.`,
      param,
      'integer_below_min_value',
    );
  }
  return value;
}

function parseChat(body: Record<string, unknown>, models: ReadonlySet<string>): Job {
  const common = parseCommon(body, models);
  const raw = body.messages;
  if (raw === undefined || raw === null) throw missing('messages');
  if (!Array.isArray(raw)) throw invalidType('messages', 'an array of objects', raw);
  if (raw.length === 0) {
    throw invalid(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  }
  const messages = raw.map((m: unknown, i) => {
    const param = `messages[${i}]`;
    if (!isRecord(m)) throw invalidType(param, 'an object', m);
    if (m.role === undefined) throw missing(`${param}.role`);
    if (typeof m.role !== 'string' || !CHAT_ROLES.has(m.role)) {
      throw invalid(
        `Invalid value: '${typeof m.role === 'string' ? m.role : JSON.stringify(m.role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
        `${param}.role`,
        'invalid_value',
      );
    }
    if (m.content === undefined && m.role !== 'assistant') throw missing(`${param}.content`);
    const content = contentText(m.content, `${param}.content`);
    if (m.name !== undefined && typeof m.name !== 'string') {
      throw invalidType(`${param}.name`, 'a string', m.name);
    }
    return { role: m.role, content, ...(m.name ? { name: m.name } : {}) };
  });
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0 && lastUser === -1; i--) {
    if (messages[i]?.role === 'user') lastUser = i;
  }
  const system = messages.find((m) => m.role === 'system' || m.role === 'developer');
  const format = parseResponseFormat(
    body,
    messages.map((m) => m.content),
  );
  const toolCall = parseTools(body, messages.at(-1)?.role);
  const lastTool = messages.at(-1)?.role === 'tool' ? messages.at(-1)?.content : undefined;
  return {
    endpoint: 'chat',
    ...common,
    logprobs: parseChatLogprobs(body),
    format,
    ...(toolCall ? { toolCall } : {}),
    maxTokens: parseMaxTokens(body, 'max_completion_tokens') ?? parseMaxTokens(body, 'max_tokens'),
    promptTokens: countChat(messages, common.model),
    matchText: messages[lastUser]?.content ?? '',
    // After tool results, the reply quotes them (what a model answering with them does).
    defaultReply: (text, choice) =>
      formatReply(
        format,
        deterministicReply(
          lastTool ?? text,
          messages.flatMap((m, i) => [m.role, i === lastUser ? text : m.content]),
          choice,
        ),
      ),
    systemPrompt: () => system?.content ?? '',
  };
}

function parseCompletion(body: Record<string, unknown>, models: ReadonlySet<string>): Job {
  const common = parseCommon(body, models);
  const prompt = body.prompt;
  if (prompt === undefined || prompt === null) throw missing('prompt');
  if (typeof prompt !== 'string') {
    throw invalidType('prompt', 'a string (the mock serves single string prompts)', prompt);
  }
  // The legacy endpoint's `logprobs` is the number of alternatives (0 to 5), not a switch.
  const top = parseInteger(body, 'logprobs', 0, 5);
  return {
    endpoint: 'completions',
    ...common,
    logprobs: top === undefined ? undefined : { top },
    format: { type: 'text' },
    maxTokens: parseMaxTokens(body, 'max_tokens'),
    promptTokens: countText(prompt, common.model),
    matchText: prompt,
    defaultReply: (text, choice) => {
      const flat = text.replace(/\s+/g, ' ').trim();
      // The end of a completion prompt is where the newest input is: quote its tail.
      const tail = flat.length > 80 ? `…${flat.slice(-79).trimStart()}` : flat;
      return deterministicReply(excerpt(tail), [text], choice);
    },
    // The "system prompt" of a completion prompt: the text before the first occurrence of one
    // of the request's stop sequences (where the turns start), else the whole prompt.
    systemPrompt: (text) => applyStop(text, common.stops).text.trim(),
  };
}

/** The model a `/v1/models/{id}` path names. */
function modelOfPath(path: string): string | undefined {
  if (!path.startsWith('/v1/models/')) return undefined;
  try {
    return decodeURIComponent(path.slice('/v1/models/'.length));
  } catch {
    return undefined;
  }
}

function parseJson(raw: string): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'Request body too large.', 'invalid_request_error'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(
        chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
      ),
    );
    req.on('error', reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sendError(res: ServerResponse, error: ApiError, headers: Record<string, string> = {}) {
  sendJson(
    res,
    error.status,
    {
      error: { message: error.message, type: error.type, param: error.param, code: error.code },
    },
    { ...headers, ...error.headers },
  );
}

/** Resolves true after `ms`, or false as soon as the response is closed (client gone). */
function sleep(res: ServerResponse, ms: number): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!res.destroyed);
  return new Promise((resolve) => {
    if (res.destroyed) {
      resolve(false);
      return;
    }
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}

/** Request log: a ring buffer of the last `capacity` requests. */
class RequestLog {
  private buffer: RecordedRequest[] = [];
  private head = 0;
  private seq = 0;

  constructor(private readonly capacity: number) {}

  add(entry: Omit<RecordedRequest, 'seq'>): RecordedRequest {
    const recorded: RecordedRequest = { seq: ++this.seq, ...entry };
    if (this.capacity <= 0) return recorded;
    if (this.buffer.length < this.capacity) this.buffer.push(recorded);
    else {
      this.buffer[this.head] = recorded;
      this.head = (this.head + 1) % this.capacity;
    }
    return recorded;
  }

  list(filter: RequestFilter = {}): RecordedRequest[] {
    const ordered = [...this.buffer.slice(this.head), ...this.buffer.slice(0, this.head)];
    const { match } = filter;
    return match === undefined
      ? ordered
      : ordered.filter((r) => matchTextOf(r.body).includes(match));
  }

  clear(): number {
    const n = this.buffer.length;
    this.buffer = [];
    this.head = 0;
    return n;
  }
}

/** Starts a mock server; resolves once it listens. */
export async function startMockLlm(options: MockLlmOptions = {}): Promise<MockLlm> {
  // Every answer counts tokens: the encodings load now, not in the first request's latency.
  preloadTokenizers();
  const host = options.host ?? '127.0.0.1';
  const models = new Set(options.models ?? DEFAULT_MODELS);
  const random = options.random ?? Math.random;
  const checkedDefaults = validateBehaviour(
    {
      ...options.defaults,
      ...definedOnly({
        latencyMs: options.latencyMs,
        jitterMs: options.jitterMs,
        chunkDelayMs: options.chunkDelayMs,
      }),
    },
    false,
  );
  if (typeof checkedDefaults === 'string') {
    throw new TypeError(`mock-llm defaults: ${checkedDefaults}`);
  }
  const defaults: MockBehaviour = checkedDefaults;
  const scripts = new ScriptStore();
  const log = new RequestLog(options.requestLogSize ?? 500);
  const rejectKeysContaining =
    options.rejectKeysContaining === undefined ? 'invalid' : (options.rejectKeysContaining ?? '');
  const inflight = new Set<ServerResponse>();
  const hanging = new Set<ServerResponse>();
  const idPrefix = randomBytes(6).toString('hex');
  let idCounter = 0;
  const nextId = () => `${idPrefix}${(++idCounter).toString(36).padStart(6, '0')}`;

  function addScripts(input: readonly unknown[]): string[] {
    const checked = input.map((s, i) => {
      const result = validateBehaviour(s, true);
      if (typeof result === 'string') throw new TypeError(`script ${i}: ${result}`);
      return result;
    });
    return checked.map((s) => scripts.add(s));
  }

  /**
   * OpenAI's 401 for a key it does not take: the configured key only, when one is set, and never
   * a key containing the rejected text (`invalid` by default: a test's way to play a revoked key).
   */
  function checkApiKey(authorization: string | undefined): void {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    const rejected =
      (options.apiKey !== undefined && token !== options.apiKey) ||
      (token !== undefined && rejectKeysContaining !== '' && token.includes(rejectKeysContaining));
    if (!rejected) return;
    throw new ApiError(
      401,
      token
        ? `Incorrect API key provided: ${token.length > 8 ? `${token.slice(0, 3)}...${token.slice(-4)}` : '***'}.`
        : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      'invalid_request_error',
      null,
      token ? 'invalid_api_key' : null,
    );
  }

  async function generate(res: ServerResponse, entry: RecordedRequest, job: Job): Promise<void> {
    const requestId = `req_${nextId()}`;
    let behaviour: MockScript | undefined;
    let text = job.matchText;
    const directive = parseDirective(job.matchText);
    if (directive.found) {
      if ('error' in directive) {
        throw invalid(
          `Invalid mock directive: ${directive.error}.`,
          job.endpoint === 'chat' ? 'messages' : 'prompt',
          'invalid_mock_directive',
        );
      }
      behaviour = directive.behaviour;
      text = directive.text;
      entry.directive = true;
    } else {
      const taken = scripts.take(job.matchText);
      if (taken) {
        behaviour = taken.script;
        entry.scriptId = taken.id;
      }
    }
    const b: MockBehaviour = behaviour ? { ...defaults, ...behaviour } : defaults;
    if (b.fault) entry.fault = b.fault;

    const latency = (b.latencyMs ?? 0) + (b.jitterMs ? random() * b.jitterMs : 0);
    if (latency > 0 && !(await sleep(res, latency))) return;

    const headers = { 'x-request-id': requestId };
    switch (b.fault) {
      case 'rate_limit': {
        const seconds = b.retryAfter ?? 1;
        throw new ApiError(
          429,
          b.message ??
            `Rate limit reached for ${job.model} (mock) on requests per min (RPM). Please try again in ${seconds}s.`,
          'requests',
          null,
          b.code ?? 'rate_limit_exceeded',
          {
            'retry-after': String(Math.ceil(seconds)),
            'retry-after-ms': String(Math.round(seconds * 1000)),
            'x-ratelimit-remaining-requests': '0',
            'x-ratelimit-reset-requests': `${seconds}s`,
          },
        );
      }
      case 'server_error':
        throw new ApiError(
          b.status ?? 500,
          b.message ?? 'The server had an error while processing your request. Sorry about that!',
          'server_error',
          null,
          b.code ?? null,
        );
      case 'bad_request':
        throw invalid(b.message ?? 'Mock bad request (scripted fault).', null, b.code ?? null);
      case 'hang':
        hanging.add(res);
        res.once('close', () => hanging.delete(res));
        return;
      default:
        break;
    }

    const leak = b.fault === 'leak_prompt' || b.fault === 'leak_prompt_partial';
    const system = leak ? job.systemPrompt(text) : '';

    /** One choice: its reply (or call), cut by `stop` and `max_tokens`, and its tokens. */
    const choose = (index: number) => {
      const leaks = leak && system !== '' && (b.leakChoices?.includes(index) ?? true);
      let reply: string;
      if (leaks) {
        reply = b.fault === 'leak_prompt' ? system : partialLeakReply(system, b.leakSentences ?? 2);
      } else if (b.choiceReplies?.[index] !== undefined) reply = b.choiceReplies[index];
      else if (b.reply !== undefined) reply = b.reply;
      else reply = job.defaultReply(text, index);

      // A function call instead of a reply: its arguments follow the function's parameters
      // (every string the system prompt under a leak fault, as a model tricked into passing it on).
      const call = job.toolCall
        ? {
            id: `call_${nextId()}`,
            type: 'function' as const,
            function: {
              name: job.toolCall.name,
              arguments: JSON.stringify(
                instanceOf(
                  job.toolCall.parameters,
                  leaks ? [system] : reply.split(/\s+/).filter((w) => /^[\p{L}\p{N}'-]+$/u.test(w)),
                ) ?? {},
              ),
            },
          }
        : undefined;
      if (call) reply = '';

      let finishReason: 'stop' | 'length' | 'tool_calls' = call ? 'tool_calls' : 'stop';
      reply = applyStop(reply, job.stops).text;
      if (job.maxTokens !== undefined) {
        const cut = truncateToTokens(reply, job.maxTokens, job.model);
        reply = cut.text;
        if (cut.truncated) finishReason = 'length';
      }
      const deltas = splitDeltas(reply);
      return {
        index,
        reply,
        call,
        finishReason,
        deltas,
        tokens: countText(call ? call.function.arguments : reply, job.model),
        // Per streamed piece, so a stream and a whole answer spell the same tokens.
        logprobs: job.logprobs
          ? replyLogprobs(deltas, job.model, job.logprobs.top, index)
          : undefined,
      };
    };
    const choices = Array.from({ length: job.n }, (_, index) => choose(index));

    // As OpenAI counts them: the completion tokens of all the choices together.
    const completionTokens = choices.reduce((sum, choice) => sum + choice.tokens, 0);
    const created = Math.floor(Date.now() / 1000);
    const id = job.endpoint === 'chat' ? `chatcmpl-${nextId()}` : `cmpl-${nextId()}`;
    const usage =
      job.endpoint === 'chat'
        ? {
            prompt_tokens: job.promptTokens,
            completion_tokens: completionTokens,
            total_tokens: job.promptTokens + completionTokens,
            prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
            completion_tokens_details: {
              reasoning_tokens: 0,
              audio_tokens: 0,
              accepted_prediction_tokens: 0,
              rejected_prediction_tokens: 0,
            },
          }
        : {
            prompt_tokens: job.promptTokens,
            completion_tokens: completionTokens,
            total_tokens: job.promptTokens + completionTokens,
          };
    entry.status = 200;
    const chatLogprobs = (entries: TokenLogprob[] | undefined) =>
      entries ? { content: entries, refusal: null } : null;
    const completionLogprobs = (entries: TokenLogprob[] | undefined, offset: number) =>
      entries ? legacyColumns(entries, offset) : null;

    if (!job.stream) {
      const payload =
        job.endpoint === 'chat'
          ? {
              id,
              object: 'chat.completion',
              created,
              model: job.model,
              choices: choices.map((choice) => ({
                index: choice.index,
                message: choice.call
                  ? {
                      role: 'assistant',
                      content: null,
                      refusal: null,
                      annotations: [],
                      tool_calls: [choice.call],
                    }
                  : { role: 'assistant', content: choice.reply, refusal: null, annotations: [] },
                logprobs: chatLogprobs(choice.logprobs?.flat()),
                finish_reason: choice.finishReason,
              })),
              usage,
              service_tier: 'default',
              system_fingerprint: FINGERPRINT,
            }
          : {
              id,
              object: 'text_completion',
              created,
              model: job.model,
              choices: choices.map((choice) => ({
                text: choice.reply,
                index: choice.index,
                logprobs: completionLogprobs(choice.logprobs?.flat(), 0),
                finish_reason: choice.finishReason,
              })),
              usage,
            };
      if (b.fault === 'cut_stream') {
        // Announce the whole body, send half of it, then drop the connection.
        const body = Buffer.from(JSON.stringify(payload));
        res.writeHead(200, {
          ...headers,
          'content-type': 'application/json',
          'content-length': body.length,
        });
        res.write(body.subarray(0, body.length >> 1), () => res.destroy());
        return;
      }
      sendJson(res, 200, payload, headers);
      return;
    }

    // Streaming: every chunk shares the same leading fields; only the choices differ. Each
    // choice's pieces go out in turn with the others' (chunk k of every choice, then k + 1),
    // as the API interleaves them, and every choice has a finish chunk of its own.
    const usageField = job.includeUsage ? ',"usage":null' : '';
    const pieces: string[][] = choices.map(() => []);
    const finishes: string[] = [];
    if (job.endpoint === 'chat') {
      const prefix = JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model: job.model,
        service_tier: 'default',
        system_fingerprint: FINGERPRINT,
      }).slice(0, -1);
      const chunk = (index: number, delta: string, logprobs: string, finish: string) =>
        `data: ${prefix},"choices":[{"index":${index},"delta":${delta},"logprobs":${logprobs},"finish_reason":${finish}}]${usageField}}\n\n`;
      for (const choice of choices) {
        const out = pieces[choice.index] as string[];
        out.push(
          chunk(choice.index, '{"role":"assistant","content":"","refusal":null}', 'null', 'null'),
        );
        choice.deltas.forEach((d, k) =>
          out.push(
            chunk(
              choice.index,
              `{"content":${JSON.stringify(d)}}`,
              JSON.stringify(chatLogprobs(choice.logprobs?.[k])),
              'null',
            ),
          ),
        );
        if (choice.call) {
          // As the API streams a call: its id and name first, then the arguments in pieces.
          const head = {
            index: 0,
            id: choice.call.id,
            type: 'function',
            function: { name: choice.call.function.name, arguments: '' },
          };
          out.push(chunk(choice.index, JSON.stringify({ tool_calls: [head] }), 'null', 'null'));
          for (const piece of choice.call.function.arguments.match(/.{1,12}/gs) ?? []) {
            out.push(
              chunk(
                choice.index,
                JSON.stringify({ tool_calls: [{ index: 0, function: { arguments: piece } }] }),
                'null',
                'null',
              ),
            );
          }
        }
        finishes.push(chunk(choice.index, '{}', 'null', `"${choice.finishReason}"`));
      }
      if (job.includeUsage) {
        finishes.push(`data: ${prefix},"choices":[],"usage":${JSON.stringify(usage)}}\n\n`);
      }
    } else {
      const head = JSON.stringify({ id, object: 'text_completion', created }).slice(0, -1);
      const tail = `,"model":${JSON.stringify(job.model)}${usageField}}\n\n`;
      const chunk = (index: number, piece: string, logprobs: string, finish: string) =>
        `data: ${head},"choices":[{"text":${JSON.stringify(piece)},"index":${index},"logprobs":${logprobs},"finish_reason":${finish}}]${tail}`;
      for (const choice of choices) {
        const out = pieces[choice.index] as string[];
        let offset = 0;
        choice.deltas.forEach((d, k) => {
          out.push(
            chunk(
              choice.index,
              d,
              JSON.stringify(completionLogprobs(choice.logprobs?.[k], offset)),
              'null',
            ),
          );
          offset += d.length;
        });
        finishes.push(chunk(choice.index, '', 'null', `"${choice.finishReason}"`));
      }
      if (job.includeUsage) {
        finishes.push(
          `data: ${head},"choices":[],"model":${JSON.stringify(job.model)},"usage":${JSON.stringify(usage)}}\n\n`,
        );
      }
    }
    const chunks: string[] = [];
    for (let k = 0; pieces.some((out) => k < out.length); k++) {
      for (const out of pieces) if (k < out.length) chunks.push(out[k] as string);
    }
    const cutLimit = chunks.length;
    chunks.push(...finishes);

    res.writeHead(200, { ...headers, ...SSE_HEADERS });
    // A cut stream never reaches the finish chunk, whatever `cutAfterChunks` says.
    const count =
      b.fault === 'cut_stream'
        ? Math.max(1, Math.min(b.cutAfterChunks ?? 3, cutLimit))
        : chunks.length;
    const cut = b.fault === 'cut_stream';
    const delay = b.chunkDelayMs ?? 0;
    if (delay <= 0) {
      if (cut) res.write(chunks.slice(0, count).join(''), () => res.destroy());
      else res.end(chunks.join('') + DONE);
      return;
    }
    for (let i = 0; i < count; i++) {
      if (i > 0 && !(await sleep(res, delay))) return;
      if (cut && i === count - 1) res.write(chunks[i], () => res.destroy());
      else res.write(chunks[i]);
    }
    if (!cut) res.end(DONE);
  }

  const watchFor = (options.watchFor ?? []).filter((text) => text.length > 0);
  const sightings: Sighting[] = [];
  function watch(req: IncomingMessage, path: string, raw: string) {
    const places: Array<[string, string]> = [['url', req.url ?? '']];
    for (const [name, value] of Object.entries(req.headers)) {
      places.push([`header ${name}`, Array.isArray(value) ? value.join(', ') : (value ?? '')]);
    }
    places.push(['body', raw]);
    watchFor.forEach((text, watched) => {
      for (const [where, value] of places) {
        if (value.includes(text))
          sightings.push({ watched, method: req.method ?? '', path, where });
      }
    });
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string) {
    const { authorization, ...headers } = req.headers;
    const raw = await readBody(req);
    watch(req, path, raw);
    const body = parseJson(raw);
    const traceparent = headers.traceparent;
    const model = isRecord(body) && typeof body.model === 'string' ? body.model : modelOfPath(path);
    const entry = log.add({
      time: new Date().toISOString(),
      method: req.method ?? 'GET',
      path,
      headers,
      ...definedOnly({
        authorization,
        traceparent: typeof traceparent === 'string' ? traceparent : undefined,
        model,
      }),
      body: body === undefined ? raw : raw.length === 0 ? undefined : body,
    });
    inflight.add(res);
    res.once('close', () => inflight.delete(res));
    try {
      checkApiKey(authorization);
      const method = req.method ?? 'GET';
      if (method === 'GET' && path === '/v1/models') {
        entry.status = 200;
        sendJson(res, 200, {
          object: 'list',
          data: [...models].map((m) => ({
            id: m,
            object: 'model',
            created: MODEL_CREATED,
            owned_by: 'mock-llm',
          })),
        });
        return;
      }
      if (method === 'GET' && path.startsWith('/v1/models/')) {
        const id = decodeURIComponent(path.slice('/v1/models/'.length));
        if (!models.has(id)) {
          throw new ApiError(
            404,
            `The model '${id}' does not exist`,
            'invalid_request_error',
            'model',
            'model_not_found',
          );
        }
        entry.status = 200;
        sendJson(res, 200, { id, object: 'model', created: MODEL_CREATED, owned_by: 'mock-llm' });
        return;
      }
      if (method === 'POST' && path === '/v1/embeddings') {
        if (!isRecord(body)) {
          throw invalid(
            'We could not parse the JSON body of your request. The OpenAI API expects a JSON object as payload.',
            null,
          );
        }
        const outcome = embeddings(body);
        if (!outcome.ok) {
          const { status, message, param, code } = outcome.error;
          throw new ApiError(status, message, 'invalid_request_error', param, code);
        }
        entry.status = 200;
        sendJson(res, 200, outcome.body);
        return;
      }
      const endpoint =
        method === 'POST' && path === '/v1/chat/completions'
          ? 'chat'
          : method === 'POST' && path === '/v1/completions'
            ? 'completions'
            : undefined;
      if (!endpoint) {
        throw new ApiError(404, `Invalid URL (${method} ${path})`, 'invalid_request_error');
      }
      if (!isRecord(body)) {
        throw invalid(
          'We could not parse the JSON body of your request. The OpenAI API expects a JSON object as payload.',
          null,
        );
      }
      const job = endpoint === 'chat' ? parseChat(body, models) : parseCompletion(body, models);
      await generate(res, entry, job);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      entry.status = error.status;
      sendError(res, error);
    }
  }

  async function handleAdmin(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ) {
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const match = query.get('match') ?? undefined;
    if (path === '/_mock/health' && method === 'GET') {
      sendJson(res, 200, { status: 'ok' });
    } else if (path === '/_mock/scripts' && method === 'GET') {
      sendJson(res, 200, { scripts: scripts.list() });
    } else if (path === '/_mock/scripts' && method === 'POST') {
      const body = parseJson(raw);
      const input = Array.isArray(body)
        ? body
        : isRecord(body) && Array.isArray(body.scripts)
          ? (body.scripts as unknown[])
          : [body];
      let ids: string[];
      try {
        ids = addScripts(input);
      } catch (error) {
        throw invalid(`Invalid script: ${(error as Error).message}.`, null);
      }
      sendJson(res, 201, { ids, scripts: scripts.list().filter((s) => ids.includes(s.id)) });
    } else if (path === '/_mock/scripts' && method === 'DELETE') {
      sendJson(res, 200, { deleted: scripts.clear(match) });
    } else if (path.startsWith('/_mock/scripts/') && method === 'DELETE') {
      const id = decodeURIComponent(path.slice('/_mock/scripts/'.length));
      if (!scripts.remove(id)) throw new ApiError(404, `No script ${id}.`, 'invalid_request_error');
      sendJson(res, 200, { deleted: 1 });
    } else if (path === '/_mock/requests' && method === 'GET') {
      const limit = Number(query.get('limit') ?? 0);
      const list = log.list(match === undefined ? {} : { match });
      sendJson(res, 200, { requests: limit > 0 ? list.slice(-limit) : list });
    } else if (path === '/_mock/requests' && method === 'DELETE') {
      sendJson(res, 200, { deleted: log.clear() });
    } else {
      throw new ApiError(404, `Invalid URL (${method} ${path})`, 'invalid_request_error');
    }
  }

  const server = createServer({ noDelay: true, keepAlive: true }, (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const handled = path.startsWith('/v1/')
      ? handleApi(req, res, path)
      : path.startsWith('/_mock/')
        ? handleAdmin(req, res, path, new URLSearchParams(q === -1 ? '' : url.slice(q + 1)))
        : Promise.reject(
            new ApiError(404, `Invalid URL (${req.method} ${path})`, 'invalid_request_error'),
          );
    handled.catch((error: unknown) => {
      if (error instanceof ApiError) sendError(res, error);
      else if (!res.headersSent) {
        sendError(res, new ApiError(500, `mock-llm: ${String(error)}`, 'server_error'));
      } else res.destroy();
    });
  });
  // Outlive the clients' keep-alive (undici: 4 s) so a reused connection is never closed under
  // a request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  let closing: Promise<void> | undefined;

  function addScript(script: MockScript): string;
  function addScript(scripts: readonly MockScript[]): string[];
  function addScript(input: MockScript | readonly MockScript[]): string | string[] {
    if (Array.isArray(input)) return addScripts(input);
    const [id] = addScripts([input]);
    return id!;
  }

  return {
    url,
    baseURL: `${url}/v1`,
    port,
    host,
    addScript,
    removeScript: (id) => scripts.remove(id),
    clearScripts: (match) => scripts.clear(match),
    scripts: () => scripts.list(),
    requests: (filter) => log.list(filter),
    clearRequests: () => log.clear(),
    sightings: () => [...sightings],
    close({ graceMs = 0 } = {}) {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        for (const res of hanging) res.destroy();
        const deadline = Date.now() + graceMs;
        while (inflight.size > hanging.size && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
