/**
 * Starts the chat-turn workflows and waits for their results. Workflow ids come from the session
 * and the client's idempotency key: the same request twice reaches the same execution (running
 * or completed) and returns the first result; a failed one may be run again with the same key.
 * The request's key material goes to the turn vault first (see turn-keys.ts) and leaves it when
 * the workflow is over. Workflow failures become the API's errors.
 */
import { temporalClientInterceptors } from '@lab/platform/telemetry';
import { HttpStatus, Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  type ChatTurnInput,
  type EndSessionResult,
  type LabTurnInput,
  type LabTurnResult,
  type LabTurnUsage,
  TURN_ERRORS,
  type TurnResult,
} from '@lab/contracts';
import { encryptedDataConverter, keyRingFromString, TurnVault } from '@lab/platform';
import { ApiException } from '@lab/platform/http';
import type { chatTurn, endSession, labTurn } from '@lab/workflows';
import {
  chatTurnWorkflowId,
  completionWorkflowId,
  endSessionWorkflowId,
  labTurnWorkflowId,
} from '@lab/workflows/ids';
import { ApplicationFailure, type Workflow } from '@temporalio/common';
import {
  Client,
  Connection,
  type WorkflowHandle,
  type WorkflowStartOptions,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
} from '@temporalio/client';
import { SESSIONS_CONFIG, type SessionsConfig } from '../config/sessions.config';
import { observeTurn, recordWorkflowFailure } from '../metrics/turn-metrics';
import { dataKeyRef, type TurnKeys } from './turn-keys';

/** What the request's keys became: vault entries to forget, and the workflow input's reference. */
interface Held {
  refs: string[];
  input: { credentialRef?: string; callerKeyId?: string };
}

@Injectable()
export class TurnRunner implements OnApplicationShutdown {
  private client?: Promise<Client>;

  constructor(
    @Inject(SESSIONS_CONFIG) private readonly config: SessionsConfig,
    private readonly vault: TurnVault,
  ) {}

  async chatTurn(
    input: Omit<ChatTurnInput, 'sessionsTaskQueue' | 'credentialRef' | 'callerKeyId'>,
    keys: TurnKeys,
  ): Promise<TurnResult> {
    return this.run<typeof chatTurn>(
      'chatTurn',
      chatTurnWorkflowId(input.sessionId, input.turnId),
      keys,
      dataKeyRef(input.sessionId, input.turnId),
      (held) => [{ ...input, sessionsTaskQueue: this.config.sessionsTaskQueue, ...held }],
    );
  }

  async endSession(
    sessionId: string,
    requestId: string,
    keys: TurnKeys,
  ): Promise<EndSessionResult> {
    return this.run<typeof endSession>(
      'endSession',
      endSessionWorkflowId(sessionId),
      keys,
      dataKeyRef(sessionId, requestId),
      (held) => [
        { sessionId, requestId, sessionsTaskQueue: this.config.sessionsTaskQueue, ...held },
      ],
    );
  }

  async labTurn(
    userId: string,
    input: Omit<LabTurnInput, 'credentialRef' | 'usage'>,
    keys: TurnKeys = {},
  ): Promise<LabTurnResult> {
    return this.run<typeof labTurn>(
      'labTurn',
      labTurnWorkflowId(userId, input.turnId),
      keys,
      undefined,
      (held) => [{ ...input, ...this.labUsage(userId, 'lab', held) }],
    );
  }

  /** A stateless completion: the lab's exchange with a stored assistant, under its own ids. */
  async completion(
    userId: string,
    input: Omit<LabTurnInput, 'credentialRef' | 'usage'>,
    keys: TurnKeys = {},
  ): Promise<LabTurnResult> {
    return this.run<typeof labTurn>(
      'labTurn',
      completionWorkflowId(userId, input.turnId),
      keys,
      undefined,
      (held) => [{ ...input, ...this.labUsage(userId, 'completion', held) }],
    );
  }

  /** A lab turn's input: its credential, and whom its usage is recorded for (decision 0009). */
  private labUsage(
    userId: string,
    source: LabTurnUsage['source'],
    { callerKeyId, ...held }: Held['input'],
  ): Pick<LabTurnInput, 'credentialRef' | 'usage'> {
    return {
      ...held,
      usage: {
        userId,
        source,
        sessionsTaskQueue: this.config.sessionsTaskQueue,
        ...(callerKeyId ? { callerKeyId } : {}),
      },
    };
  }

  /**
   * Leaves the keys in the vault, starts (or joins) the workflow and waits for it. The entries
   * leave Redis as soon as the workflow is over (not when the request stops waiting), or at once
   * when it could not be started.
   */
  private async run<W extends Workflow>(
    type: string,
    workflowId: string,
    keys: TurnKeys,
    dataRef: string | undefined,
    args: (held: Held['input']) => Parameters<W>,
  ): Promise<Awaited<ReturnType<W>>> {
    const held = await this.hold(keys, dataRef);
    const input = args(held.input);
    return observeTurn(type, input[0], async (): Promise<Awaited<ReturnType<W>>> => {
      let handle: WorkflowHandle<W>;
      try {
        handle = await this.start<W>(type, workflowId, input);
      } catch (error) {
        await this.forget(held.refs);
        throw error;
      }
      void handle
        .result()
        .catch(() => undefined)
        .then(() => this.forget(held.refs));
      return this.await(handle, type);
    });
  }

  private async hold(keys: TurnKeys, dataRef: string | undefined): Promise<Held> {
    const held: Held = {
      refs: [],
      input: keys.callerKeyId ? { callerKeyId: keys.callerKeyId } : {},
    };
    if (keys.dataKey && dataRef) {
      await this.vault.hold(dataRef, keys.dataKey.toString('base64'));
      held.refs.push(dataRef);
    }
    if (keys.providerKey) {
      const credentialRef = TurnVault.newRef('provider-key');
      await this.vault.hold(credentialRef, keys.providerKey);
      held.refs.push(credentialRef);
      held.input.credentialRef = credentialRef;
    }
    return held;
  }

  private async forget(refs: string[]): Promise<void> {
    await Promise.all(refs.map((ref) => this.vault.forget(ref).catch(() => undefined)));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client) await (await this.client).connection.close();
  }

  private connect(): Promise<Client> {
    this.client ??= Connection.connect({ address: this.config.temporalAddress }).then(
      (connection) =>
        new Client({
          connection,
          namespace: this.config.temporalNamespace,
          dataConverter: encryptedDataConverter(keyRingFromString(this.config.payloadKeys)),
          interceptors: temporalClientInterceptors(),
        }),
    );
    return this.client;
  }

  private async start<W extends Workflow>(
    type: string,
    workflowId: string,
    args: Parameters<W>,
  ): Promise<WorkflowHandle<W>> {
    const client = await this.connect();
    try {
      return await client.workflow.start<W>(type, {
        taskQueue: this.config.chatTurnsTaskQueue,
        workflowId,
        args,
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        workflowExecutionTimeout: '15 minutes',
      } as unknown as WorkflowStartOptions<W>);
    } catch (error) {
      // Completed already (a repeated request): its result is the answer.
      if (error instanceof WorkflowExecutionAlreadyStartedError)
        return client.workflow.getHandle<W>(workflowId);
      throw error;
    }
  }

  private async await<W extends Workflow>(
    handle: WorkflowHandle<W>,
    type: string,
  ): Promise<Awaited<ReturnType<W>>> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ApiException(
              HttpStatus.GATEWAY_TIMEOUT,
              'turn_pending',
              'The turn is still running; repeat the request with the same Idempotency-Key for its result',
            ),
          ),
        this.config.turnWaitMs,
      );
    });
    try {
      return (await Promise.race([handle.result(), timeout])) as Awaited<ReturnType<W>>;
    } catch (error) {
      recordWorkflowFailure(type, error);
      throw toApiError(error);
    } finally {
      clearTimeout(timer);
    }
  }
}

export function toApiError(error: unknown): unknown {
  if (!(error instanceof WorkflowFailedError)) return error;
  let cause: unknown = error.cause;
  while (cause && !(cause instanceof ApplicationFailure) && (cause as { cause?: unknown }).cause) {
    cause = (cause as { cause?: unknown }).cause;
  }
  const type = cause instanceof ApplicationFailure ? cause.type : undefined;
  switch (type) {
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
    case TURN_ERRORS.llmUnavailable:
      return new ApiException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'llm_unavailable',
        'The model provider is unavailable; try again later',
      );
    case TURN_ERRORS.sessionClosed:
      return new ApiException(HttpStatus.CONFLICT, 'session_ended', 'The session has ended');
    case TURN_ERRORS.keyUnavailable:
      return new ApiException(
        HttpStatus.CONFLICT,
        'turn_key_expired',
        'The turn lost its key material; repeat the request',
      );
    default:
      return error;
  }
}
