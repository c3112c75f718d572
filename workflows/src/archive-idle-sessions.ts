/**
 * The idle sweep, run by the `archive-idle-sessions` Temporal schedule: sessions idle longer
 * than the period are ended without a recap (nobody's key is at hand: reason `idle`) and
 * archived; ended sessions still without an archive get their archive workflow started again.
 */
import type { ArchiveIdleSessionsInput, ArchiveIdleSessionsResult } from '@lab/contracts';
import { sessions } from './activities';
import { startArchive } from './archive-session';

export async function archiveIdleSessions(
  input: ArchiveIdleSessionsInput,
): Promise<ArchiveIdleSessionsResult> {
  const store = sessions(input.sessionsTaskQueue);
  const { idle, unarchived } = await store.listIdleSessions({
    idleMinutes: input.idleMinutes,
    limit: input.limit ?? 200,
  });
  const toArchive = [...unarchived];
  let ended = 0;
  for (const sessionId of idle) {
    const outcome = await store.endIdleSession({ sessionId, idleMinutes: input.idleMinutes });
    if (outcome.ended) {
      ended += 1;
      toArchive.push(sessionId);
    }
  }
  for (const sessionId of toArchive) await startArchive(sessionId, input.sessionsTaskQueue);
  return { ended, archiving: toArchive.length };
}
