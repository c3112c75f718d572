import type { IncomingHttpHeaders } from 'node:http';

/** The faults a script, an inline directive or the server defaults can inject. */
export const MOCK_FAULTS = [
  'rate_limit',
  'server_error',
  'bad_request',
  'hang',
  'cut_stream',
  'leak_prompt',
  'leak_prompt_partial',
] as const;

export type MockFault = (typeof MOCK_FAULTS)[number];

/**
 * What the server does with one request: the reply, the latency and the fault. Every field is
 * optional; an absent field falls back to the server defaults, then to the built-in behaviour
 * (deterministic reply, no latency, no fault).
 */
export interface MockBehaviour {
  /** The assistant's reply (still subject to the request's `stop` and `max_tokens`). */
  reply?: string;
  /** Fixed delay before the first byte of the response, in milliseconds. */
  latencyMs?: number;
  /** Uniform random extra delay in [0, jitterMs] added to `latencyMs`. */
  jitterMs?: number;
  /** Delay between two chunks of a streamed response, in milliseconds. */
  chunkDelayMs?: number;
  fault?: MockFault;
  /** `server_error`: the 5xx status to answer with (default 500). */
  status?: number;
  /** Error faults: the `error.message` of the response body. */
  message?: string;
  /** Error faults: the `error.code` of the response body. */
  code?: string;
  /** `rate_limit`: seconds announced in `Retry-After` (default 1; `retry-after-ms` carries ms). */
  retryAfter?: number;
  /** `cut_stream`: chunks sent before the socket is destroyed (default 3, role chunk included). */
  cutAfterChunks?: number;
  /** `leak_prompt_partial`: consecutive system-prompt sentences leaked (default 2). */
  leakSentences?: number;
  /**
   * `leak_*` faults with `n` > 1: the indexes of the choices that leak (default all); the other
   * choices get the ordinary reply.
   */
  leakChoices?: number[];
  /**
   * With `n` > 1: each choice's reply by index (still cut by `stop` and `max_tokens`); a choice
   * past its end gets `reply`, else the ordinary reply.
   */
  choiceReplies?: string[];
}

/**
 * A scripted behaviour registered through `addScript` or `POST /_mock/scripts`. Scripts are
 * tried first-added first; the first one whose `match` is found applies and is counted down.
 */
export interface MockScript extends MockBehaviour {
  /**
   * Substring looked for in the last user message (chat) or the prompt (completions). Use a
   * unique marker per test so suites sharing one server do not interfere. Absent: any request.
   */
  match?: string;
  /** How many requests the script answers (default 1); 0 means forever. */
  times?: number;
  /** Forever when `times` is absent. */
  persistent?: boolean;
}

/** A registered script as listed by the server. */
export interface RegisteredScript extends MockScript {
  id: string;
  /** Requests it will still answer; `null` for a script that never runs out. */
  remaining: number | null;
}

export type Endpoint = 'chat' | 'completions';

/** One request received on `/v1/*`, as kept in the bounded request log. */
export interface RecordedRequest {
  seq: number;
  /** ISO time the request arrived. */
  time: string;
  method: string;
  path: string;
  /** Request headers without `authorization` (see the field of its own). */
  headers: IncomingHttpHeaders;
  /** The `authorization` header as received (`Bearer <key>`), so tests can tell which key was used. */
  authorization?: string;
  /** The W3C `traceparent` header as received, for tracing tests. */
  traceparent?: string;
  /** The `model` of the request body (generation endpoints), or of the path (`/v1/models/{id}`). */
  model?: string;
  /** The parsed JSON body (the raw text when it was not JSON, undefined when empty). */
  body: unknown;
  /** Status of the response, once sent (a hanging request has none). */
  status?: number;
  /** Id of the script that answered, if any. */
  scriptId?: string;
  /** True when an inline `[[mock {...}]]` directive decided the behaviour. */
  directive?: boolean;
  fault?: MockFault;
}

export interface MockLlmOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** When set, `/v1/*` requires `Authorization: Bearer <apiKey>` (else any key is accepted). */
  apiKey?: string;
  /**
   * A bearer key containing this text is rejected with 401 `invalid_api_key`, as OpenAI rejects
   * a revoked key, on every `/v1` route (default `invalid`; `null` or `''` turns it off).
   */
  rejectKeysContaining?: string | null;
  /** Model ids served by `/v1/models`; requests for other models get 404 `model_not_found`. */
  models?: readonly string[];
  /** Server-wide behaviour for requests no script or directive covers, field by field. */
  defaults?: MockBehaviour;
  /** Shorthand for `defaults.latencyMs`. */
  latencyMs?: number;
  /** Shorthand for `defaults.jitterMs`. */
  jitterMs?: number;
  /** Shorthand for `defaults.chunkDelayMs`. */
  chunkDelayMs?: number;
  /** Requests kept by the log (default 500). */
  requestLogSize?: number;
  /**
   * Texts that must never reach a model provider (platform secrets): every `/v1` request's URL,
   * headers and body are searched for them, beyond the log's capacity; see `sightings()`.
   */
  watchFor?: readonly string[];
  /** Source of randomness for jitter, in [0, 1) (default Math.random). */
  random?: () => number;
}

export interface RequestFilter {
  /** Only requests whose last user message (chat) or prompt (completions) contains this. */
  match?: string;
}

export interface Sighting {
  /** The index of the text in `watchFor` (the text itself is a secret: never repeated here). */
  watched: number;
  method: string;
  path: string;
  /** Where it was: the URL, a header (by name), or the body. */
  where: string;
}

export interface MockLlm {
  /** Root URL, e.g. `http://127.0.0.1:18080`. */
  readonly url: string;
  /** The OpenAI base URL, `${url}/v1`, to give the SDK as `baseURL`. */
  readonly baseURL: string;
  readonly port: number;
  readonly host: string;
  /** Adds one script (returns its id) or several (returns their ids). */
  addScript(script: MockScript): string;
  addScript(scripts: readonly MockScript[]): string[];
  /** Removes one script by id; true when it existed. */
  removeScript(id: string): boolean;
  /** Removes every script, or only those with this exact `match`; returns how many. */
  clearScripts(match?: string): number;
  scripts(): RegisteredScript[];
  /** The request log, oldest first. */
  requests(filter?: RequestFilter): RecordedRequest[];
  clearRequests(): number;
  /** Every request (ever, not only those still in the log) that carried a `watchFor` text. */
  sightings(): Sighting[];
  /**
   * Stops accepting connections, destroys hanging requests at once, lets other in-flight
   * responses finish for up to `graceMs` (default 0) and then destroys what is left.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}
