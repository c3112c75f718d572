/**
 * The key material a request brings for the turn it starts, and how it reaches that turn's
 * activities without entering Temporal: through the turn vault (`@lab/platform`, Redis,
 * encrypted with TURN_VAULT_KEY, expiring). The turn's key (the user's data key for a session,
 * a key derived from it for a stateless exchange) sits under a name derived from the scope and
 * the turn; the user's own provider key (redeemed from `x-key-ref`, when given) under a fresh opaque
 * reference. The update or workflow input carries only the references (`keyRef`,
 * `credentialRef`), and both entries leave Redis when the request is answered.
 */
export interface TurnKeys {
  /** The user's data key: every turn needs it (sessions seal with it, exchanges derive from it). */
  dataKey: Buffer;
  /** The user's own provider key: the turn's model calls use it instead of the worker's. */
  providerKey?: string | undefined;
  /**
   * Not key material: the caller's platform API key id (never the secret), which the input
   * carries as `callerKeyId` for usage attribution. Absent when the caller is a person.
   */
  callerKeyId?: string | undefined;
}

/** Turn ids are the clients' idempotency keys: unique within a scope only. */
export const turnKeyRef = (scope: string, turnRef: string) => `turn-key:${scope}:${turnRef}`;
