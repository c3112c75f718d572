/**
 * The key material a request brings for the turn it starts, and how it reaches that turn's
 * activities without entering Temporal: through the turn vault (`@lab/platform`, Redis,
 * encrypted with TURN_VAULT_KEY, expiring). The user's data key (stored sessions) sits under a
 * name derived from the session and the turn, which the persistence activities know; the user's
 * own provider key (`x-openai-key`, when given) under a fresh opaque reference that the workflow
 * input carries as `credentialRef` for the llm-worker. Both leave Redis when the turn is over.
 */
import { TURN_ERRORS } from '@lab/contracts';
import type { TurnVault } from '@lab/platform';
import { ApplicationFailure } from '@temporalio/common';

export interface TurnKeys {
  /** The user's data key: every turn of a stored session needs it. */
  dataKey?: Buffer;
  /** The user's own provider key: the turn's model calls use it instead of the worker's. */
  providerKey?: string | undefined;
  /**
   * Not key material: the caller's platform API key id (never the secret), which the workflow
   * input carries as `callerKeyId` for usage attribution. Absent when the caller is a person.
   */
  callerKeyId?: string | undefined;
}

/** Turn ids are the clients' idempotency keys: unique within a session only. */
export const dataKeyRef = (sessionId: string, turnRef: string) =>
  `data-key:${sessionId}:${turnRef}`;

/** The data key the request left for this turn; gone fails the turn without retry. */
export async function sessionDataKey(
  vault: TurnVault,
  sessionId: string,
  turnRef: string,
): Promise<Buffer> {
  const key = await vault.take(dataKeyRef(sessionId, turnRef));
  if (key === undefined) {
    throw ApplicationFailure.create({
      type: TURN_ERRORS.keyUnavailable,
      message: 'the key material for this turn is no longer available; repeat the request',
      nonRetryable: true,
    });
  }
  return Buffer.from(key, 'base64');
}
