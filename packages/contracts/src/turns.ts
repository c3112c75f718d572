/**
 * The chat turn's contracts: what the session and exchange workflows (run by the sessions
 * service's worker, queue `sessions`), the model-facing activities (llm-worker, queue
 * `chat-turns`) and the sessions worker's local activities exchange. Every value here travels
 * through Temporal, encrypted by the payload codec on top; message text, prompts and threads are
 * `Sealed` under the user's data key before they enter it, and key material never does: keys are
 * named by references to turn-vault entries (docs/decisions/0014-turn-engine-v2.md).
 */

export type SessionType = 'brainstorm' | 'coach';
export type EndpointKind = 'chat' | 'completion';

export interface ThreadMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** The LLM payload kept between turns (the seed's messages_str): a running summary and recent messages. */
export interface Thread {
  summary: string | null;
  messages: ThreadMessage[];
}

export interface ModelSettings {
  model: string;
  endpoint: EndpointKind;
  contextWindow: number;
  maxTokens: number;
  temperature: number;
  topP: number;
  frequencyPenalty: number;
  presencePenalty: number;
}

/** The pinned assistant version a turn runs with. */
export interface TurnAssistant {
  assistantId: string | null;
  sessionType: SessionType;
  initialPrompt: string;
  summaryPrompt: string;
  guardThreshold: number;
  /**
   * The guard's other settings (decision 0013), optional so that turns sealed before them still
   * open: absent = off. The canary itself is never here: the llm-worker derives it.
   */
  guardCanary?: boolean;
  guardSemantic?: boolean;
  guardSemanticThreshold?: number;
  model: ModelSettings;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

// ---- sealed values ----

/**
 * Text sealed with AES-256-GCM (the platform's `encryptText` format) under a key the workflow
 * never holds: the user's data key (a stored session) or a key derived from it (a stateless
 * exchange), bound by associated data to its scope and purpose (see `SessionCipher` in
 * `@lab/platform`). Workflow code moves sealed values and ids only; activities that take the
 * turn's key from the turn vault open them.
 */
export type Sealed = string;

/** Where an exchange's key waits (a turn-vault reference) and what its ciphertexts are bound to. */
export interface ExchangeKey {
  /** The turn-vault entry holding the key (the data key, or the stateless exchange's key). */
  keyRef: string;
  /** The associated-data scope of every sealed value: the session id, or the exchange's id. */
  scope: string;
}

// ---- the session workflow (one per session, id `session:<sessionId>`) ----

export interface SessionWorkflowInput {
  sessionId: string;
  userId: string;
  assistantId: string;
  promptVersionId: string;
  modelConfigVersionId: string;
  /**
   * The public id (`dataKeyId`) of the data key the session is sealed under, recorded on its row
   * so a reader during a key rotation picks the right key (decision 0021).
   */
  dataKeyId?: string;
  /** The pinned assistant (`TurnAssistant`), sealed (purpose `assistant`). */
  assistant: Sealed;
  /** The thread, sealed (purpose `payload`): exactly what the session row stores. */
  thread: Sealed;
  /** False until the opening turn has created the session's row (a new session). */
  stored: boolean;
  /** The queue of the model-facing activities (the llm-worker's, `chat-turns`). */
  chatTurnsTaskQueue: string;
  /** An untouched session ends after this long (SESSION_IDLE_MINUTES). */
  idleMinutes: number;
  /** Outcomes of the latest turns, carried across Continue-As-New so a repeat is answered. */
  recent?: TurnOutcome[];
  /**
   * A response chain (stored Responses API exchanges, decision 0022): the session opens with the
   * user's first message, not with the assistant's opening message.
   */
  responseChain?: boolean;
}

export interface SessionWorkflowResult {
  sessionId: string;
  /** How the session's workflow ended. */
  reason: 'ended' | 'idle' | 'not_started' | 'closed';
}

/** Update `turn` (update id = the turn id, the client's Idempotency-Key). */
export interface TurnRequest {
  turnId: string;
  /**
   * HMAC of the request under the user's data key: the same Idempotency-Key with another body is
   * refused (422 `idempotency_key_reused`), and the platform learns nothing of the text from it.
   */
  requestHash: string;
  /** The user's message, sealed (purpose `message`); null for the assistant's opening message. */
  userMessage: Sealed | null;
  /** The session's text attachments for this request only, sealed (purpose `attachments`). */
  attachments?: Sealed | null;
  keyRef: string;
  /** The user's own provider key's turn-vault entry, when the request brought one. */
  credentialRef?: string;
  /** Redis channel to stream guarded sentences to, when the requester streams. */
  streamChannel?: string;
  /** The caller's platform API key id (never the secret), for usage attribution. */
  callerKeyId?: string;
  /**
   * This turn's `CompletionOptions` (a stored response's instructions, cap, sampling, format),
   * sealed (purpose `options`): they apply to this turn only (decision 0022).
   */
  options?: Sealed;
  /** The stored response this turn answers, recorded with it (decision 0022). */
  response?: StoredResponseRecord;
}

/** A stored response (Responses API, `store: true`) as its turn records it (decision 0022). */
export interface StoredResponseRecord {
  /** `resp_` + 24 random bytes (hex). */
  id: string;
  /** The response object's request-side fields and input items, sealed (purpose `response`). */
  envelope: Sealed;
}

export type Condensed = 'keep' | 'truncate' | 'summarise';

export interface TurnOutcome {
  turnId: string;
  requestHash: string;
  /** The reply as shown (the replacement when the guard hit), sealed (purpose `message`). */
  reply: Sealed;
  guardHit: boolean;
  usage: Usage;
  model: string;
  condensed: Condensed;
  /** The model's finish reason (`stop`, `length`); absent in outcomes from before it was kept. */
  finishReason?: string;
  /** The model's calls of the caller's functions (`ToolCall[]`), sealed (purpose `options`). */
  toolCalls?: Sealed;
}

/** Update `end`: the recap, then the session's end and its archive. */
export interface EndRequest {
  requestId: string;
  keyRef: string;
  credentialRef?: string;
  callerKeyId?: string;
}

export interface EndOutcome {
  sessionId: string;
  /** Sealed (purpose `recap`). */
  recap: Sealed;
  usage: Usage;
}

// ---- the stateless exchange (lab turns, OpenAI-compatible completions) ----

/** A function the caller offers the model (OpenAI's tool definition). */
export interface CompletionTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean;
  };
}

/** A call of one of the caller's functions, as the model made it. */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** The most choices (`n`) one completion may ask for: each costs a guard pass and its tokens. */
export const MAX_COMPLETION_CHOICES = 8;

/** One token of a reply, how likely the model found it, and its likeliest alternatives (OpenAI's shape). */
export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[] | null;
  top_logprobs: Array<{ token: string; logprob: number; bytes: number[] | null }>;
}

/**
 * A choice after the first of a completion that asked for `n` > 1, guarded on its own: a
 * leaking choice is the replacement, with no calls and no log probabilities.
 */
export interface CompletionChoice {
  reply: string;
  guardHit: boolean;
  finishReason?: string;
  toolCalls?: ToolCall[];
  /** Its tokens' log probabilities, when asked for and the choice was not guarded. */
  logprobs?: TokenLogprob[];
}

/** A message of a conversation with tools, in OpenAI's shape (never a system message here). */
export interface CompletionMessage {
  role: 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

/**
 * What an OpenAI-compatible caller asked of one completion, applied within the assistant's
 * bounds by the llm-worker (decision 0016): `maxTokens` lowers the assistant's cap and never
 * raises it; sampling, `seed` and `stop` go to the model; `instructions` are the caller's system
 * and developer messages, sent right after the assistant's prompt. Travels sealed (purpose
 * `options`): instructions are message text.
 */
export interface CompletionOptions {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
  stop?: string[];
  instructions?: string[];
  /** The caller's functions (OpenAI's `tools`), offered to the model as they are. */
  tools?: CompletionTool[];
  /** `none`, `auto`, `required`, or `{ type: 'function', function: { name } }`. */
  toolChoice?: unknown;
  parallelToolCalls?: boolean;
  /**
   * With tools, the conversation as OpenAI's messages (tool calls, tool results), sent in place of
   * the thread's text after the assistant's prompt and the instructions.
   */
  conversation?: CompletionMessage[];
  /** Choices to answer (OpenAI's `n`, at most `MAX_COMPLETION_CHOICES`; chat models only). */
  n?: number;
  /** The reply's log probabilities (OpenAI's `logprobs`), with `topLogprobs` alternatives each. */
  logprobs?: boolean;
  topLogprobs?: number;
  /** OpenAI's `response_format`: a JSON object, or one following `jsonSchema` (given with it). */
  responseFormat?: {
    type: 'json_object' | 'json_schema';
    jsonSchema?: {
      name: string;
      description?: string;
      schema: Record<string, unknown>;
      strict: boolean;
    };
  };
}

export interface ExchangeWorkflowInput extends ExchangeKey {
  turnId: string;
  requestHash: string;
  /** The stored assistant's id, for usage (null: a lab draft). */
  assistantId: string | null;
  /** `TurnAssistant` sealed (purpose `assistant`): a lab draft or a stored assistant's version. */
  assistant: Sealed;
  /** The caller's thread, sealed (purpose `payload`). */
  thread: Sealed;
  userMessage: Sealed | null;
  /** A completion's `CompletionOptions`, sealed (purpose `options`). */
  options?: Sealed;
  credentialRef?: string;
  streamChannel?: string;
  chatTurnsTaskQueue: string;
  /** Whom the usage is recorded for (decision 0009); nothing else is stored. */
  usage: ExchangeUsage;
}

/** Whom a lab turn or completion's usage is attributed to. */
export interface ExchangeUsage {
  userId: string;
  source: 'lab' | 'completion';
  callerKeyId?: string;
}

/** What an exchange adds to a turn's outcome for a completion's `n` and `logprobs`. */
export interface ExchangeChoices {
  /** The first choice's `TokenLogprob[]`, sealed (purpose `logprobs`): it spells out the reply. */
  logprobs?: Sealed;
  /** The choices after the first (`CompletionChoice[]`), sealed (purpose `choices`). */
  choices?: Sealed;
  /** How many of those the guard replaced (a count, for the usage's guard trips). */
  choicesGuarded?: number;
}

export interface ExchangeOutcome extends TurnOutcome, ExchangeChoices {
  /** The thread after this exchange, condensed as the assistant's session type says, sealed. */
  thread: Sealed;
}

// ---- activities ----

/** The `exchange` activity (llm-worker): one turn's model call, guard and condense plan. */
export interface ExchangeInput extends ExchangeKey {
  turnId: string;
  assistant: Sealed;
  thread: Sealed;
  userMessage: Sealed | null;
  attachments?: Sealed | null;
  /** A completion's `CompletionOptions`, sealed (purpose `options`). */
  options?: Sealed;
  credentialRef?: string;
  streamChannel?: string;
  /** Files in the reply become attachments (stored sessions only). */
  returnFiles?: boolean;
}

export interface ExchangeResult extends ExchangeChoices {
  reply: Sealed;
  guardHit: boolean;
  usage: Usage;
  model: string;
  /** The model's finish reason: `stop`, `length` when the output cap cut it, `tool_calls`. */
  finishReason?: string;
  /** The model's calls of the caller's functions (`ToolCall[]`), sealed (purpose `options`). */
  toolCalls?: Sealed;
  latencyMs: number;
  /**
   * The thread with this exchange in it: condensed already (`keep`, `truncate`), or, for
   * `summarise`, as it grew, for the `summarise` activity to condense.
   */
  thread: Sealed;
  condensed: Condensed;
  /** Files the model returned, sealed as attachments (see `sealAttachment`). */
  files?: SealedFile[];
}

/** A file the model returned in its reply, sealed for object storage under the data key. */
export interface SealedFile {
  id: string;
  contentType: string;
  size: number;
  /** Its name and plaintext SHA-256 (`SessionCipher.attachmentMeta`), as the row stores them. */
  meta: Sealed;
  /** The keyed integrity hash (`SessionCipher.fileMac`), as for uploads. */
  mac: string;
  /** The object's bytes (`sealAttachment`), base64. */
  sealed: string;
}

export interface SummariseInput extends ExchangeKey {
  turnId: string;
  assistant: Sealed;
  /** The grown thread from `exchange`. */
  thread: Sealed;
  credentialRef?: string;
}

export interface SummariseResult {
  /** The summary and the last messages kept, sealed. */
  thread: Sealed;
  usage: Usage;
}

export interface RecapInput extends ExchangeKey {
  requestId: string;
  assistant: Sealed;
  thread: Sealed;
  credentialRef?: string;
}

export interface RecapResult {
  recap: Sealed;
  usage: Usage;
  model: string;
}

/** `persistTurn` (sessions worker, local): both messages, thread, counts, event, in one transaction. */
export interface PersistTurnInput {
  sessionId: string;
  turnId: string;
  requestHash: string;
  /** Set for the opening turn of a new session: its row and `session.started` come with it. */
  create?: {
    userId: string;
    assistantId: string;
    promptVersionId: string;
    modelConfigVersionId: string;
    /** The public id of the data key the session is sealed under (decision 0021). */
    dataKeyId?: string;
  };
  userMessage: Sealed | null;
  reply: Sealed;
  thread: Sealed;
  usage: Usage;
  model: string;
  guardHit: boolean;
  latencyMs: number;
  condensed: Condensed;
  files?: SealedFile[];
  callerKeyId?: string;
  /** The stored response the turn answers (decision 0022), with the model's finish reason. */
  response?: StoredResponseRecord & { finishReason?: string };
}

export interface PersistEndInput {
  sessionId: string;
  requestId: string;
  recap: Sealed;
  usage: Usage;
  model: string;
  callerKeyId?: string;
}

/**
 * The usage of an exchange that stores nothing (a lab turn, an OpenAI-compatible completion),
 * recorded as a `usage.recorded` event: ids, model, usage and guard hit, never text. `eventKey`
 * (the workflow id) makes the event's id, so a retried activity records it once.
 */
export interface RecordUsageInput extends ExchangeUsage {
  eventKey: string;
  turnId: string;
  assistantId: string | null;
  model: string;
  usage: Usage;
  guardHit: boolean;
}

/** Error types the workflows and activities agree on (ApplicationFailure.type). */
export const TURN_ERRORS = {
  /** The LLM refused the request (4xx other than 429): not retried. */
  llmRejected: 'LlmRequestRejected',
  /** The provider refused the user's own key (401/403): not retried; the user must fix the key. */
  providerKeyRejected: 'ProviderKeyRejected',
  /** 429: retried after Retry-After. */
  llmRateLimited: 'LlmRateLimited',
  /** 5xx, timeouts, broken connections: retried with backoff. */
  llmUnavailable: 'LlmUnavailable',
  /** The session cannot take this turn (ended, unknown): not retried. */
  sessionClosed: 'SessionClosed',
  /** The session is answering another turn (an Update's validator refused this one). */
  turnInProgress: 'TurnInProgress',
  /** The per-turn key material (data key, provider key) is gone (expired): not retried; the
   * client retries the request. */
  keyUnavailable: 'TurnKeyUnavailable',
  /** The session cannot be archived (still active): not retried. */
  archiveRefused: 'ArchiveRefused',
  /** Object storage is unreachable or not configured: retried until it is back. */
  storageUnavailable: 'StorageUnavailable',
} as const;

/** The model-facing activities, on the llm-worker's queue (`chat-turns`). */
export interface LlmActivities {
  exchange(input: ExchangeInput): Promise<ExchangeResult>;
  summarise(input: SummariseInput): Promise<SummariseResult>;
  recap(input: RecapInput): Promise<RecapResult>;
}

/** The sessions worker's local activities: its database, next to the workflow. */
export interface SessionLocalActivities {
  persistTurn(input: PersistTurnInput): Promise<void>;
  persistSessionEnd(input: PersistEndInput): Promise<void>;
  /** Ends a session that is still idle, without a recap (no key): reason `idle`. */
  endIdleSession(input: { sessionId: string; idleMinutes: number }): Promise<IdleEnd>;
  /** Records a lab turn's or completion's usage (`usage.recorded`), once per `eventKey`. */
  recordUsage(input: RecordUsageInput): Promise<void>;
}

/** The sessions worker's (ordinary) activities, on its own queue (`sessions`). */
export interface SessionActivities {
  /**
   * Writes an ended session's archive to object storage, checks it is there, then marks the
   * session archived and records `session.archived`, once. Needs no key: the archive holds the
   * stored ciphertext.
   */
  archiveSession(input: { sessionId: string }): Promise<ArchiveSessionResult>;
  /** Active sessions idle longer than the period, and ended sessions still not archived. */
  listIdleSessions(input: { idleMinutes: number; limit: number }): Promise<IdleSessions>;
  /** Ends a session that is still idle, without a recap (no key): reason `idle`. */
  endIdleSession(input: { sessionId: string; idleMinutes: number }): Promise<IdleEnd>;
}

/** `ended`: this call ended the session; `active`: it is still active (it was not idle). */
export interface IdleEnd {
  ended: boolean;
  active: boolean;
}

// ---- archives ----

export interface ArchiveSessionResult {
  sessionId: string;
  key: string;
  size: number;
  sha256: string;
  /** True when an earlier run had archived it already. */
  alreadyArchived: boolean;
}

export interface ArchiveSessionInput {
  sessionId: string;
}

export interface ArchiveIdleSessionsInput {
  idleMinutes: number;
  /** Sessions handled per run, at most. */
  limit?: number;
}

export interface IdleSessions {
  /** Active sessions idle longer than the period. */
  idle: string[];
  /** Ended sessions without an archive (ended before a failed or lost archive run). */
  unarchived: string[];
}

export interface ArchiveIdleSessionsResult {
  ended: number;
  archiving: number;
}
