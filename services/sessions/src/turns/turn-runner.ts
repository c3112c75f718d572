/**
 * Starts the chat-turn workflows and waits for their results. Workflow ids come from the session
 * and the client's idempotency key: the same request twice reaches the same execution (running
 * or completed) and returns the first result; a failed one may be run again with the same key.
 * Workflow failures become the API's errors.
 */
import { HttpStatus, Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  type ChatTurnInput,
  type EndSessionResult,
  type LabTurnInput,
  type LabTurnResult,
  TURN_ERRORS,
  type TurnResult,
} from '@lab/contracts';
import { encryptedDataConverter, keyRingFromString } from '@lab/platform';
import { ApiException } from '@lab/platform/http';
import type { chatTurn, endSession, labTurn } from '@lab/workflows';
import { chatTurnWorkflowId, endSessionWorkflowId, labTurnWorkflowId } from '@lab/workflows/ids';
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
import { TurnKeyVault } from './key-vault';

@Injectable()
export class TurnRunner implements OnApplicationShutdown {
  private client?: Promise<Client>;

  constructor(
    @Inject(SESSIONS_CONFIG) private readonly config: SessionsConfig,
    private readonly vault: TurnKeyVault,
  ) {}

  async chatTurn(input: ChatTurnInput, dataKey: Buffer): Promise<TurnResult> {
    await this.vault.hold(input.sessionId, input.turnId, dataKey);
    const handle = await this.start<typeof chatTurn>(
      'chatTurn',
      chatTurnWorkflowId(input.sessionId, input.turnId),
      [{ ...input, sessionsTaskQueue: this.config.sessionsTaskQueue }],
    );
    this.forgetKeyWhenDone(handle, input.sessionId, input.turnId);
    return this.await(handle);
  }

  async endSession(
    sessionId: string,
    requestId: string,
    dataKey: Buffer,
  ): Promise<EndSessionResult> {
    await this.vault.hold(sessionId, requestId, dataKey);
    const handle = await this.start<typeof endSession>(
      'endSession',
      endSessionWorkflowId(sessionId),
      [{ sessionId, requestId, sessionsTaskQueue: this.config.sessionsTaskQueue }],
    );
    this.forgetKeyWhenDone(handle, sessionId, requestId);
    return this.await(handle);
  }

  async labTurn(userId: string, input: LabTurnInput): Promise<LabTurnResult> {
    const handle = await this.start<typeof labTurn>(
      'labTurn',
      labTurnWorkflowId(userId, input.turnId),
      [input],
    );
    return this.await(handle);
  }

  /** The key leaves Redis as soon as the turn is over (not when the request stops waiting). */
  private forgetKeyWhenDone(
    handle: WorkflowHandle<Workflow>,
    sessionId: string,
    turnRef: string,
  ): void {
    void handle
      .result()
      .catch(() => undefined)
      .then(() => this.vault.forget(sessionId, turnRef))
      .catch(() => undefined);
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
