/**
 * The Temporal schedule of the idle sweep (`archive-idle-sessions`): every ARCHIVE_SWEEP_MINUTES
 * it runs the `archiveIdleSessions` workflow on the workflows' queue, which ends sessions idle
 * longer than SESSION_IDLE_MINUTES and archives them. Created at start-up, or updated to the
 * current configuration when it exists: every replica may do it, the outcome is the same.
 */
import { temporalClientInterceptors } from '@lab/platform/telemetry';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ArchiveIdleSessionsInput } from '@lab/contracts';
import { encryptedDataConverter, keyRingFromString } from '@lab/platform';
import { archiveIdleScheduleId } from '@lab/workflows/ids';
import {
  Client,
  Connection,
  ScheduleAlreadyRunning,
  type ScheduleHandle,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import { SESSIONS_CONFIG, type SessionsConfig } from '../config/sessions.config';

/** Creates the schedule, or brings an existing one to this configuration. */
export async function ensureIdleSchedule(
  client: Client,
  config: SessionsConfig,
): Promise<ScheduleHandle> {
  const scheduleId = archiveIdleScheduleId(config.sessionsTaskQueue);
  const input: ArchiveIdleSessionsInput = {
    sessionsTaskQueue: config.sessionsTaskQueue,
    idleMinutes: config.archiving.idleMinutes,
    limit: 200,
  };
  const spec = { intervals: [{ every: `${config.archiving.sweepMinutes} minutes` }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'archiveIdleSessions',
    workflowId: `${scheduleId}:run`,
    taskQueue: config.chatTurnsTaskQueue,
    args: [input],
    workflowExecutionTimeout: '30 minutes',
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
export class IdleArchiveSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdleArchiveSchedule.name);
  private connection?: Connection;

  constructor(@Inject(SESSIONS_CONFIG) private readonly config: SessionsConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.archiving.schedule) return;
    try {
      this.connection = await Connection.connect({ address: this.config.temporalAddress });
      const client = new Client({
        connection: this.connection,
        namespace: this.config.temporalNamespace,
        dataConverter: encryptedDataConverter(keyRingFromString(this.config.payloadKeys)),
        interceptors: temporalClientInterceptors(),
      });
      await ensureIdleSchedule(client, this.config);
    } catch (error) {
      // The service still serves; the next start (or replica) sets the schedule up.
      this.logger.error(
        `idle archive schedule not set up: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection?.close();
  }
}
