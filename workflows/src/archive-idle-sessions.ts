/**
 * The idle sweep, run by the `archive-idle-sessions` Temporal schedule: a safety net beside each
 * session workflow's own idle timer. Sessions idle longer than the period (those without a live
 * workflow: started before the session workflow existed, or whose workflow was terminated) are
 * ended without a recap (nobody's key is at hand: reason `idle`) and archived; ended sessions
 * still without an archive get their archive workflow started again.
 */
import type { ArchiveIdleSessionsInput, ArchiveIdleSessionsResult } from '@lab/contracts';
import { sweep } from './activities';
import { startArchive } from './archive-session';

export async function archiveIdleSessions(
  input: ArchiveIdleSessionsInput,
): Promise<ArchiveIdleSessionsResult> {
  const { idle, unarchived } = await sweep.listIdleSessions({
    idleMinutes: input.idleMinutes,
    limit: input.limit ?? 200,
  });
  const toArchive = [...unarchived];
  let ended = 0;
  for (const sessionId of idle) {
    const outcome = await sweep.endIdleSession({ sessionId, idleMinutes: input.idleMinutes });
    if (outcome.ended) {
      ended += 1;
      toArchive.push(sessionId);
    }
  }
  for (const sessionId of toArchive) await startArchive(sessionId);
  return { ended, archiving: toArchive.length };
}
