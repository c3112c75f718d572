/**
 * Runs turns on Temporal for the sessions service: a session's turns and end as Updates of its
 * `sessionWorkflow` (the first one with Update-With-Start; a session whose workflow is not
 * running, e.g. one started before session workflows existed, gets one started from its row),
 * and stateless exchanges as short `exchangeWorkflow`s started eagerly through the connection
 * this service's worker polls with. Update ids are the turn ids (the clients' Idempotency-Keys):
 * the same request twice reaches the same execution and gets its outcome, success or failure.
 * The request's keys go to the turn vault first (see turn-keys.ts) and leave it when the turn is
 * over. Failures become the API's errors.
 */
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import {
  type EndOutcome,
  type EndRequest,
  type ExchangeOutcome,
  type ExchangeWorkflowInput,
  type SessionWorkflowInput,
  TURN_ERRORS,
  type TurnOutcome,
  type TurnRequest,
} from '@lab/contracts';
import { TurnVault } from '@lab/platform';
import {
  ApiException,
  dependencyFailure,
  dependencyUnavailable,
  OUTAGE_RETRY_AFTER_SECONDS,
} from '@lab/platform/http';
import type { exchangeWorkflow, sessionWorkflow } from '@lab/workflows';
import { endUpdate, turnUpdate } from '@lab/workflows/definitions';
import { sessionWorkflowId } from '@lab/workflows/ids';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
} from '@temporalio/client';
import { SESSIONS_CONFIG, type SessionsConfig } from '../config/sessions.config';
import { observeTurn, recordWorkflowFailure } from '../metrics/turn-metrics';
import { TemporalConnection } from './temporal';
import { turnKeyRef, type TurnKeys } from './turn-keys';

/** A turn's fields as the service builds them; the key references are added here. */
export type TurnFields = Omit<TurnRequest, 'keyRef' | 'credentialRef' | 'callerKeyId'>;
export type ExchangeFields = Omit<
  ExchangeWorkflowInput,
  'keyRef' | 'credentialRef' | 'chatTurnsTaskQueue' | 'usage'
> & { usage: Omit<ExchangeWorkflowInput['usage'], 'callerKeyId'> };

/** What the request's keys became: vault entries to forget, and the references to pass on. */
interface Held {
  refs: string[];
  refsIn: { keyRef: string; credentialRef?: string; callerKeyId?: string };
}

/** When to ask again for a turn still running. */
const TURN_PENDING_RETRY_AFTER_SECONDS = 2;

/** Called once the workflow has accepted the request (a stream may begin). */
export type OnAccepted = () => void;

@Injectable()
export class TurnRunner {
  constructor(
    @Inject(SESSIONS_CONFIG) private readonly config: SessionsConfig,
    private readonly vault: TurnVault,
    private readonly temporal: TemporalConnection,
  ) {}

  /** The workflow input of a session (the caller seals assistant and thread). */
  sessionInput(
    fields: Omit<SessionWorkflowInput, 'chatTurnsTaskQueue' | 'idleMinutes'>,
  ): SessionWorkflowInput {
    return {
      ...fields,
      chatTurnsTaskQueue: this.config.chatTurnsTaskQueue,
      idleMinutes: this.config.archiving.idleMinutes,
    };
  }

  /** A new session's opening turn, starting its workflow (Update-With-Start). */
  startSession(
    input: SessionWorkflowInput,
    fields: TurnFields,
    keys: TurnKeys,
    onAccepted?: OnAccepted,
  ): Promise<TurnOutcome> {
    return this.sessionUpdate(
      'turn',
      input.sessionId,
      turnUpdate,
      fields.turnId,
      keys,
      (refs) => ({ ...fields, ...refs }),
      () => Promise.resolve(input),
      { startFirst: true, onAccepted },
    );
  }

  /**
   * A turn of a stored session. `restart` gives the input of a new workflow for the session,
   * should it have none running.
   */
  turn(
    sessionId: string,
    fields: TurnFields,
    keys: TurnKeys,
    restart: () => Promise<SessionWorkflowInput>,
    onAccepted?: OnAccepted,
  ): Promise<TurnOutcome> {
    return this.sessionUpdate(
      'turn',
      sessionId,
      turnUpdate,
      fields.turnId,
      keys,
      (refs) => ({ ...fields, ...refs }),
      restart,
      { onAccepted },
    );
  }

  end(
    sessionId: string,
    requestId: string,
    keys: TurnKeys,
    restart: () => Promise<SessionWorkflowInput>,
  ): Promise<EndOutcome> {
    return this.sessionUpdate(
      'end',
      sessionId,
      endUpdate,
      requestId,
      keys,
      (refs): EndRequest => ({ requestId, ...refs }),
      restart,
      {},
    );
  }

  /**
   * A stateless exchange (lab turn, completion) as its own short workflow, started eagerly: this
   * service's worker takes its first task from the start call. A repeated request (same id)
   * joins it, or gets the outcome of the one that finished.
   */
  async exchange(
    workflowId: string,
    fields: ExchangeFields,
    key: Buffer,
    keys: TurnKeys,
    onAccepted?: OnAccepted,
  ): Promise<ExchangeOutcome> {
    const held = await this.hold(keys, fields.scope, fields.turnId, key);
    const input: ExchangeWorkflowInput = {
      ...fields,
      ...held.refsIn,
      chatTurnsTaskQueue: this.config.chatTurnsTaskQueue,
      usage: {
        ...fields.usage,
        ...(held.refsIn.callerKeyId ? { callerKeyId: held.refsIn.callerKeyId } : {}),
      },
    };
    return observeTurn(fields.usage.source, fields, async () => {
      const client = await this.temporal.client();
      let result: Promise<ExchangeOutcome>;
      try {
        const handle = await client.workflow
          .start<typeof exchangeWorkflow>('exchangeWorkflow', {
            taskQueue: this.config.sessionsTaskQueue,
            workflowId,
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
            // A finished exchange (even a failed one) answers its repeats: no second run.
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            workflowExecutionTimeout: '15 minutes',
            requestEagerStart: true,
          })
          .catch((error: unknown) => {
            if (error instanceof WorkflowExecutionAlreadyStartedError)
              return client.workflow.getHandle<typeof exchangeWorkflow>(workflowId);
            throw error;
          });
        onAccepted?.();
        result = handle.result();
      } catch (error) {
        await this.forgetUnlessOutage(held.refs, error);
        throw error;
      }
      this.forgetWhenSettled(held.refs, result);
      return this.settle(result, fields.usage.source, fields.requestHash);
    });
  }

  private async sessionUpdate<Ret, Req extends TurnRequest | EndRequest>(
    type: string,
    sessionId: string,
    update: UpdateDefinition<Ret, [Req]>,
    updateId: string,
    keys: TurnKeys,
    request: (refs: Held['refsIn']) => Req,
    startInput: () => Promise<SessionWorkflowInput>,
    options: { startFirst?: boolean; onAccepted?: OnAccepted | undefined },
  ): Promise<Ret> {
    const held = await this.hold(keys, sessionId, updateId, keys.dataKey);
    const args: [Req] = [request(held.refsIn)];
    const requestHash = 'requestHash' in args[0] ? (args[0] as TurnRequest).requestHash : undefined;
    // Known once the workflow took the Update (a stream's start): an outage after that leaves
    // a turn that may well finish, so its answer is 504 `turn_pending`, not 503.
    let accepted = false;
    const onAccepted = options.onAccepted;
    const delivery = {
      ...options,
      ...(onAccepted
        ? {
            onAccepted: () => {
              accepted = true;
              onAccepted();
            },
          }
        : {}),
    };
    return observeTurn(type, args[0], async () => {
      let result: Promise<Ret>;
      try {
        ({ result } = await this.deliver(sessionId, update, updateId, args, startInput, delivery));
      } catch (error) {
        await this.forgetUnlessOutage(held.refs, error);
        recordWorkflowFailure(type, error);
        throw toApiError(error, requestHash);
      }
      this.forgetWhenSettled(held.refs, result);
      return this.settle(result, type, requestHash, () => accepted);
    });
  }

  /**
   * Sends the Update to the session's workflow, or starts the workflow with it when none runs.
   * With `onAccepted` (a stream), resolves once the workflow has accepted it (its validators
   * passed), else at once; `result` settles with the Update.
   */
  private async deliver<Ret, Req>(
    sessionId: string,
    update: UpdateDefinition<Ret, [Req]>,
    updateId: string,
    args: [Req],
    startInput: () => Promise<SessionWorkflowInput>,
    options: { startFirst?: boolean; onAccepted?: OnAccepted | undefined },
  ): Promise<{ result: Promise<Ret> }> {
    const client = await this.temporal.client();
    const workflowId = sessionWorkflowId(sessionId);
    const withStart = async (): Promise<{ result: Promise<Ret> }> => {
      const startWorkflowOperation = new WithStartWorkflowOperation<typeof sessionWorkflow>(
        'sessionWorkflow',
        {
          workflowId,
          taskQueue: this.config.sessionsTaskQueue,
          args: [await startInput()],
          workflowIdConflictPolicy: 'USE_EXISTING',
        },
      );
      if (!options.onAccepted) {
        return {
          result: client.workflow.executeUpdateWithStart(update, {
            args,
            updateId,
            startWorkflowOperation,
          }),
        };
      }
      const started = await client.workflow.startUpdateWithStart(update, {
        args,
        updateId,
        startWorkflowOperation,
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      options.onAccepted();
      return { result: started.result() };
    };
    if (options.startFirst) return withStart();
    const handle = client.workflow.getHandle<typeof sessionWorkflow>(workflowId);
    if (!options.onAccepted) {
      // One call, accepted and completed; no workflow running: start one with this Update.
      const result = handle.executeUpdate(update, { args, updateId }).catch(async (error) => {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        return (await withStart()).result;
      });
      return { result };
    }
    try {
      const started = await handle.startUpdate(update, {
        args,
        updateId,
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      options.onAccepted();
      return { result: started.result() };
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      return withStart();
    }
  }

  /** The outcome, or the API's error; 504 when it takes longer than the request may wait. */
  private async settle<Ret>(
    result: Promise<Ret>,
    type: string,
    requestHash: string | undefined,
    accepted: () => boolean = () => false,
  ): Promise<Ret> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(turnPending()), this.config.turnWaitMs);
    });
    try {
      const outcome = await Promise.race([result, timeout]);
      const answered = (outcome as { requestHash?: string }).requestHash;
      if (requestHash !== undefined && answered !== undefined && answered !== requestHash)
        throw keyReused();
      return outcome;
    } catch (error) {
      if (error instanceof ApiException) throw error;
      recordWorkflowFailure(type, error);
      throw toApiError(error, requestHash, accepted());
    } finally {
      clearTimeout(timer);
    }
  }

  private async hold(keys: TurnKeys, scope: string, turnId: string, key: Buffer): Promise<Held> {
    const keyRef = turnKeyRef(scope, turnId);
    await this.vault.hold(keyRef, key.toString('base64'));
    const held: Held = {
      refs: [keyRef],
      refsIn: { keyRef, ...(keys.callerKeyId ? { callerKeyId: keys.callerKeyId } : {}) },
    };
    if (keys.providerKey) {
      const credentialRef = TurnVault.newRef('provider-key');
      await this.vault.hold(credentialRef, keys.providerKey);
      held.refs.push(credentialRef);
      held.refsIn.credentialRef = credentialRef;
    }
    return held;
  }

  /**
   * The request's vault entries go once its turn has an outcome. Not when this service only lost
   * sight of it (Temporal out of reach): the turn may still run, and its retried activities need
   * the keys; they leave with the vault's TTL (a repeat of the request holds them anew).
   */
  private forgetWhenSettled(refs: string[], result: Promise<unknown>): void {
    void result.then(
      () => this.forget(refs),
      (error: unknown) => this.forgetUnlessOutage(refs, error),
    );
  }

  private async forgetUnlessOutage(refs: string[], error: unknown): Promise<void> {
    if (!dependencyFailure(error)) await this.forget(refs);
  }

  private async forget(refs: string[]): Promise<void> {
    await Promise.all(refs.map((ref) => this.vault.forget(ref).catch(() => undefined)));
  }
}

const turnPending = () =>
  new ApiException(
    HttpStatus.GATEWAY_TIMEOUT,
    'turn_pending',
    'The turn is still running; repeat the request with the same Idempotency-Key for its result',
    undefined,
    { retryAfterSeconds: TURN_PENDING_RETRY_AFTER_SECONDS },
  );

const keyReused = () =>
  new ApiException(
    HttpStatus.UNPROCESSABLE_ENTITY,
    'idempotency_key_reused',
    'This Idempotency-Key was used for another request; use a new key for a new request',
  );

/**
 * The model provider kept rate limiting until the turn's retries ran out: 503 `llm_unavailable`
 * as any outage of the provider, with the wait the provider last asked for (the OpenAI-compatible
 * route answers it as 429 with `Retry-After`, as the provider did).
 */
export class ProviderRateLimited extends ApiException {
  constructor(retryAfterSeconds: number | undefined) {
    super(
      HttpStatus.SERVICE_UNAVAILABLE,
      'llm_unavailable',
      'The model provider is unavailable; try again later',
      undefined,
      { retryAfterSeconds },
    );
  }
}

/** The provider's last Retry-After, from the activity failure's details (llm-failure.ts). */
function providerRetryAfterSeconds(error: unknown): number | undefined {
  let cause: unknown = error;
  while (cause instanceof Error) {
    if (cause instanceof ApplicationFailure && cause.type === TURN_ERRORS.llmRateLimited) {
      const ms = (cause.details?.[0] as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
      if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) {
        return Math.max(1, Math.ceil(ms / 1000));
      }
    }
    cause = cause.cause;
  }
  return undefined;
}

/** The ApplicationFailure a turn failed with (its type names the cause), if any. */
function applicationFailure(error: unknown): ApplicationFailure | undefined {
  let cause: unknown = error;
  while (cause instanceof Error) {
    if (cause instanceof ApplicationFailure) return cause;
    cause = cause.cause;
  }
  return undefined;
}

/**
 * The API's answer to a failed turn: its failure's type mapped to an error; Temporal (or what the
 * turn needs before it) unreachable is 503 `unavailable` — 504 `turn_pending` once the workflow
 * had taken the turn, which may still finish: the same Idempotency-Key fetches its result.
 */
export function toApiError(error: unknown, requestHash?: string, accepted = false): unknown {
  if (!(error instanceof WorkflowUpdateFailedError || error instanceof WorkflowFailedError)) {
    const outage = dependencyFailure(error);
    if (!outage) return error;
    return accepted ? turnPending() : dependencyUnavailable(outage.dependency);
  }
  const failure = applicationFailure(error);
  const details = failure?.details?.[0] as { requestHash?: string } | undefined;
  // A failed turn answers its repeats with its failure, but not a request with another body.
  if (requestHash !== undefined && details?.requestHash && details.requestHash !== requestHash)
    return keyReused();
  switch (failure?.type) {
    case TURN_ERRORS.llmRejected:
      return new ApiException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'llm_rejected',
        'The model provider rejected this request; the session is unchanged',
      );
    case TURN_ERRORS.providerKeyRejected:
      return new ApiException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'provider_key_rejected',
        'The model provider rejected the API key this request brought; nothing was changed',
      );
    case TURN_ERRORS.llmRateLimited:
      return new ProviderRateLimited(providerRetryAfterSeconds(error));
    case TURN_ERRORS.llmUnavailable:
      return new ApiException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'llm_unavailable',
        'The model provider is unavailable; try again later',
        [{ field: 'dependency', message: 'llm' }],
        { retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS },
      );
    case TURN_ERRORS.sessionClosed:
      return new ApiException(HttpStatus.CONFLICT, 'session_ended', 'The session has ended');
    case TURN_ERRORS.turnInProgress:
      return new ApiException(
        HttpStatus.CONFLICT,
        'turn_in_progress',
        'The session is already answering a message; wait for it',
      );
    case TURN_ERRORS.keyUnavailable:
      return new ApiException(
        HttpStatus.CONFLICT,
        'turn_key_expired',
        'The turn lost its key material; send the request again with a new Idempotency-Key',
      );
    default:
      return error;
  }
}
