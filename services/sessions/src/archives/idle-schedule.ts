/**
 * The Temporal schedule of the idle sweep (`archive-idle-sessions`): every ARCHIVE_SWEEP_MINUTES
 * it runs the `archiveIdleSessions` workflow on this service's queue, which ends sessions idle
 * longer than SESSION_IDLE_MINUTES and archives them: a safety net for sessions without a live
 * session workflow (whose own idle timer does it otherwise). Created at start-up, or updated to
 * the current configuration when it exists: every replica may do it, the outcome is the same.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { ArchiveIdleSessionsInput } from '@lab/contracts';
import { archiveIdleScheduleId } from '@lab/workflows/ids';
import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleHandle,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import { SESSIONS_CONFIG, type SessionsConfig } from '../config/sessions.config';
import { TemporalConnection } from '../turns/temporal';

/** Creates the schedule, or brings an existing one to this configuration. */
export async function ensureIdleSchedule(
  client: Client,
  config: SessionsConfig,
): Promise<ScheduleHandle> {
  const scheduleId = archiveIdleScheduleId(config.sessionsTaskQueue);
  const input: ArchiveIdleSessionsInput = {
    idleMinutes: config.archiving.idleMinutes,
    limit: 200,
  };
  // Durations in milliseconds: Temporal's `ms`-string type is stricter than a template string.
  const spec = { intervals: [{ every: config.archiving.sweepMinutes * 60_000 }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'archiveIdleSessions',
    workflowId: `${scheduleId}:run`,
    taskQueue: config.sessionsTaskQueue,
    args: [input],
    workflowExecutionTimeout: 30 * 60_000,
  };
  try {
    return await client.schedule.create({
      scheduleId,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    const handle = client.schedule.getHandle(scheduleId);
    await handle.update((previous) => ({ ...previous, spec, action }));
    return handle;
  }
}

@Injectable()
export class IdleArchiveSchedule implements OnApplicationBootstrap {
  private readonly logger = new Logger(IdleArchiveSchedule.name);

  constructor(
    @Inject(SESSIONS_CONFIG) private readonly config: SessionsConfig,
    private readonly temporal: TemporalConnection,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.archiving.schedule) return;
    try {
      await ensureIdleSchedule(await this.temporal.client(), this.config);
    } catch (error) {
      // The service still serves; the next start (or replica) sets the schedule up.
      this.logger.error(
        `idle archive schedule not set up: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
