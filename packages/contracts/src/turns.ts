/**
 * The chat turn's contracts: what the workflows, the LLM activities (llm-worker, queue
 * `chat-turns`) and the persistence activities (sessions service, queue `sessions`) exchange.
 * Every value here travels through Temporal, encrypted by the payload codec; key material never
 * does: a user's provider key is named by `credentialRef`, an opaque reference to its turn-vault
 * entry (see docs/decisions/0005-chat-turns.md).
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
  model: ModelSettings;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

// ---- workflows ----

export interface ChatTurnInput {
  sessionId: string;
  turnId: string;
  /** null for the assistant's opening message when a session starts. */
  userMessage: string | null;
  /** Redis channel to stream guarded sentences to, when the requester streams. */
  streamChannel?: string;
  /** The queue the sessions service's worker polls (default `sessions`). */
  sessionsTaskQueue?: string;
  /** The user's own provider key's turn-vault entry, when the request brought one. */
  credentialRef?: string;
  /** The caller's platform API key id (never the secret), for usage attribution; absent: not an API key. */
  callerKeyId?: string;
}

export interface TurnResult {
  turnId: string;
  reply: string;
  guardHit: boolean;
  usage: Usage;
  model: string;
  condensed: 'keep' | 'truncate' | 'summarise';
}

export interface LabTurnInput {
  turnId: string;
  assistant: TurnAssistant;
  thread: Thread;
  userMessage: string | null;
  streamChannel?: string;
  /** The user's own provider key's turn-vault entry, when the request brought one. */
  credentialRef?: string;
  /**
   * Usage recording (decision 0009): who ran the turn and through which route. Absent (a
   * workflow started before usage was recorded for lab turns): nothing is recorded.
   */
  usage?: LabTurnUsage;
}

/** Whom a lab turn or completion's usage is attributed to, and where `recordUsage` runs. */
export interface LabTurnUsage {
  userId: string;
  source: 'lab' | 'completion';
  callerKeyId?: string;
  /** The queue the sessions service's worker polls (default `sessions`). */
  sessionsTaskQueue?: string;
}

export interface LabTurnResult extends TurnResult {
  thread: Thread;
}

export interface EndSessionInput {
  sessionId: string;
  requestId: string;
  sessionsTaskQueue?: string;
  /** The user's own provider key's turn-vault entry, when the request brought one. */
  credentialRef?: string;
  /** The caller's platform API key id (never the secret), for usage attribution; absent: not an API key. */
  callerKeyId?: string;
}

export interface EndSessionResult {
  sessionId: string;
  recap: string;
  usage: Usage;
}

// ---- activities ----

export interface TurnContext {
  assistant: TurnAssistant;
  thread: Thread;
  /** True when the turn was already persisted (a replayed request): the workflow returns it. */
  alreadyPersisted: TurnResult | null;
  /**
   * The session's text attachments as one message for the model, within the attachments' token
   * budget (absent or null: none). Sent with the turn's request, never stored in the thread.
   */
  attachments?: string | null;
}

export interface CallModelInput {
  turnId: string;
  model: ModelSettings;
  /** Chat endpoint: the messages; completion endpoint: the prompt string and stop sequences. */
  messages?: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>;
  prompt?: string;
  stop?: string[];
  /** When streaming: guard the text sentence by sentence before releasing it to the channel. */
  stream?: { channel: string; initialPrompt: string; guardThreshold: number };
  /**
   * Set when the call must use the user's own provider key instead of the worker's: the
   * turn-vault entry that holds it (the key itself never enters Temporal).
   */
  credentialRef?: string;
}

export interface CallModelResult {
  text: string;
  usage: Usage;
  finishReason: string;
  /** Set when the streaming guard stopped the stream. */
  streamGuardHit?: boolean;
  latencyMs: number;
}

export interface GuardInput {
  reply: string;
  initialPrompt: string;
  threshold: number;
}

export interface GuardOutcome {
  leaked: boolean;
  score: number;
  /** The reply as it may be shown: the original, or the generic replacement on a leak. */
  reply: string;
  /** The generic reply used instead of a leaking one. */
  replacement: string;
}

export interface CondenseInput {
  assistant: TurnAssistant;
  thread: Thread;
}

export type CondenseDecision =
  | { kind: 'keep'; thread: Thread }
  | { kind: 'truncate'; thread: Thread }
  | {
      kind: 'summarise';
      summaryRequest: ModelRequest;
      keep: ThreadMessage[];
      tokens: number;
      limit: number;
    };

export interface BuildRequestInput {
  assistant: TurnAssistant;
  thread: Thread;
}

export interface ModelRequest {
  messages?: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>;
  prompt?: string;
  stop?: string[];
}

export interface PersistTurnInput {
  sessionId: string;
  turnId: string;
  userMessage: string | null;
  reply: string;
  thread: Thread;
  usage: Usage;
  model: string;
  guardHit: boolean;
  latencyMs: number;
  condensed: TurnResult['condensed'];
  /** Files the model returned in its reply (see ReturnedFile), stored as the session's attachments. */
  files?: ReturnedFile[];
  /** The caller's platform API key id (never the secret), for usage attribution; absent: not an API key. */
  callerKeyId?: string;
}

/**
 * A file the model returned: a fenced block ```file name="plan.md" … ``` in its reply. The
 * workflow takes it out of the reply (which keeps a reference) and gives it an id.
 */
export interface ReturnedFile {
  id: string;
  name: string;
  contentType: string;
  content: string;
}

export interface PersistEndInput {
  sessionId: string;
  requestId: string;
  recap: string;
  usage: Usage;
  model: string;
  /** The caller's platform API key id (never the secret), for usage attribution; absent: not an API key. */
  callerKeyId?: string;
}

/**
 * The usage of a turn that stores nothing (a lab turn, an OpenAI-compatible completion), recorded
 * as a `usage.recorded` event: ids, model, usage and guard hit, never text. `eventKey` (the
 * workflow id) makes the event's id, so a retried activity records it once.
 */
export interface RecordUsageInput extends LabTurnUsage {
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
  /** The per-turn key material (data key, provider key) is gone (expired): not retried; the
   * client retries the request. */
  keyUnavailable: 'TurnKeyUnavailable',
  /** The session cannot be archived (still active): not retried. */
  archiveRefused: 'ArchiveRefused',
  /** Object storage is unreachable or not configured: retried until it is back. */
  storageUnavailable: 'StorageUnavailable',
} as const;

/** Names of the activity functions, by task queue. */
export interface LlmActivities {
  callModel(input: CallModelInput): Promise<CallModelResult>;
}

export interface ConversationActivities {
  buildModelRequest(input: BuildRequestInput): Promise<ModelRequest>;
  /** The request that writes a session's recap with its summary prompt. */
  buildRecapRequest(input: BuildRequestInput): Promise<ModelRequest>;
  guardReply(input: GuardInput): Promise<GuardOutcome>;
  planCondense(input: CondenseInput): Promise<CondenseDecision>;
}

export interface EndContext {
  assistant: TurnAssistant;
  thread: Thread;
  /** Set when the session already ended (a replayed request): the workflow returns it. */
  alreadyEnded: EndSessionResult | null;
}

export interface SessionActivities {
  loadTurnContext(input: { sessionId: string; turnId: string }): Promise<TurnContext>;
  loadEndContext(input: { sessionId: string; requestId: string }): Promise<EndContext>;
  persistTurn(input: PersistTurnInput): Promise<void>;
  releaseTurn(input: { sessionId: string; turnId: string }): Promise<void>;
  persistSessionEnd(input: PersistEndInput): Promise<void>;
  /**
   * Writes an ended session's archive to object storage, checks it is there, then marks the
   * session archived and records `session.archived`, once. Needs no key: the archive holds the
   * stored ciphertext.
   */
  archiveSession(input: { sessionId: string }): Promise<ArchiveSessionResult>;
  /** Active sessions idle longer than the period, and ended sessions still not archived. */
  listIdleSessions(input: { idleMinutes: number; limit: number }): Promise<IdleSessions>;
  /** Ends a session that is still idle, without a recap (no key): reason `idle`. */
  endIdleSession(input: { sessionId: string; idleMinutes: number }): Promise<{ ended: boolean }>;
  /** Records a lab turn's or completion's usage (`usage.recorded`), once per `eventKey`. */
  recordUsage(input: RecordUsageInput): Promise<void>;
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
  sessionsTaskQueue?: string;
}

export interface ArchiveIdleSessionsInput {
  sessionsTaskQueue?: string;
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
