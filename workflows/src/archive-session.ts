/**
 * Archives an ended session's transcript to object storage. Its own workflow (id
 * `archive:<session>`), started when a session ends (by the user or idle) and by the idle sweep,
 * and left running on its own (parent close policy abandon): a storage outage delays the archive,
 * never the end of a session, and the archive outlives the workflow that ended it.
 */
import type { ArchiveSessionInput, ArchiveSessionResult } from '@lab/contracts';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { archives } from './activities';
import { archiveSessionWorkflowId } from './ids';

export async function archiveSessionTranscript(
  input: ArchiveSessionInput,
): Promise<ArchiveSessionResult> {
  return archives.archiveSession({ sessionId: input.sessionId });
}

/** Starts the session's archive workflow and leaves it running; one already running is enough. */
export async function startArchive(sessionId: string): Promise<void> {
  try {
    await startChild(archiveSessionTranscript, {
      workflowId: archiveSessionWorkflowId(sessionId),
      args: [{ sessionId }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}
