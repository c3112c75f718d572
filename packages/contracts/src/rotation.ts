/**
 * Re-encryption of a user's history under a new data key (decision 0021): the `rotateDataKey`
 * workflow on the sessions worker and the activity it runs in batches. Nothing here is key
 * material: both data keys stay in the turn vault under `keysRef` (see `holdRotationKeys`).
 */

/** Workflow id: one rotation per user and target key, so a repeated start is the same one. */
export const rotateDataKeyWorkflowId = (userId: string, toKeyId: string) =>
  `rotate-data-key:${userId}:${toKeyId}`;

export interface RotateDataKeyInput {
  userId: string;
  /** The new data key's public id (`dataKeyId`). */
  toKeyId: string;
  /** The turn-vault reference holding both data keys (old and new). */
  keysRef: string;
  /** Sessions per batch (default 50). */
  batchSize?: number;
  /** Batches before continue-as-new (default 20). */
  batchesPerRun?: number;
}

export interface RotateDataKeyResult {
  done: number;
  total: number;
}

export interface ResealBatchInput {
  userId: string;
  toKeyId: string;
  keysRef: string;
  limit: number;
}

/** After a batch: how far the rotation is (as the database records it) and whether it is over. */
export interface ResealBatchResult {
  done: number;
  total: number;
  finished: boolean;
}

export interface RotationActivities {
  /**
   * Re-encrypts the next `limit` sessions of the user (ordered by id, after the cursor the
   * database keeps) from the old data key to the new, each session in one transaction with its
   * progress. Idempotent: a value already under the new key is left alone.
   */
  resealSessionBatch(input: ResealBatchInput): Promise<ResealBatchResult>;
  /**
   * Deletes the last copies sealed under the old data key: the user's model-call memo entries in
   * Redis, and (asks Temporal to delete) every closed run of the user's workflows (sessions,
   * archives, lab turns, completions), whose histories hold such values. Temporal deletes
   * asynchronously and drops a request made while a run's closing is unsettled, so the workflow
   * repeats this until `remaining` (closed runs still there) is 0.
   */
  forgetOldCopies(input: RotationRef): Promise<{ remaining: number }>;
  /** Marks the rotation done (its `finished_at`): nothing the platform holds opens with the old key. */
  finishRotation(input: RotationRef): Promise<void>;
}

/** Which rotation: the user's, to the target key. */
export interface RotationRef {
  userId: string;
  toKeyId: string;
}

export const ROTATION_ERRORS = {
  /** The vault entry with the keys is gone (expired): the rotation waits for the user. */
  keysUnavailable: 'RotationKeysUnavailable',
  /** A value opens with neither key: never overwritten, the rotation stops. */
  unreadable: 'RotationValueUnreadable',
} as const;
