/**
 * A user's history moved to their new data key (decision 0021), in batches of sessions on the
 * sessions worker. The workflow carries only the user, the target key's id and a vault
 * reference: the keys and the cursor are outside history (the vault, the database), so a batch
 * retried after a killed worker, or a run continued as new, resumes where the database says.
 */
import {
  ROTATION_ERRORS,
  type RotateDataKeyInput,
  type RotateDataKeyResult,
  type RotationActivities,
  type RotationRef,
} from '@lab/contracts';
import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';

const rotation = proxyActivities<RotationActivities>({
  startToCloseTimeout: '5 minutes',
  // A batch heartbeats while it works: one whose worker died is retried after this.
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: [ROTATION_ERRORS.keysUnavailable, ROTATION_ERRORS.unreadable],
  },
});

export async function rotateDataKey(input: RotateDataKeyInput): Promise<RotateDataKeyResult> {
  const limit = input.batchSize ?? 50;
  const batchesPerRun = input.batchesPerRun ?? 20;
  for (let batch = 0; batch < batchesPerRun; batch += 1) {
    const progress = await rotation.resealSessionBatch({
      userId: input.userId,
      toKeyId: input.toKeyId,
      keysRef: input.keysRef,
      limit,
    });
    if (progress.finished) {
      await forgetOldCopies({ userId: input.userId, toKeyId: input.toKeyId });
      await rotation.finishRotation({ userId: input.userId, toKeyId: input.toKeyId });
      return { done: progress.done, total: progress.total };
    }
  }
  return continueAsNew<typeof rotateDataKey>(input);
}

/**
 * The old key's last copies the platform holds: the model-call memo in Redis and the histories
 * of the user's closed workflow runs. Deletion is asked again until none is listed (a run terminated by the last batch is
 * deletable only once its closing has settled); after `FORGET_ATTEMPTS` the rotation finishes
 * anyway, and what is left goes with the namespace's retention.
 */
async function forgetOldCopies(ref: RotationRef): Promise<void> {
  for (let attempt = 1; attempt <= FORGET_ATTEMPTS; attempt += 1) {
    const { remaining } = await rotation.forgetOldCopies(ref);
    if (remaining === 0) return;
    await sleep('5 seconds');
  }
}

const FORGET_ATTEMPTS = 60;
