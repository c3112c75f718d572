/**
 * This service's Temporal worker, on the `sessions` queue: it runs the session and exchange
 * workflows (and the archive and idle-sweep ones), their local activities (this service's
 * database, next to the workflow), the archive activities and a key rotation's batches. Starts with the application and, on
 * shutdown, stops polling, lets running tasks finish, then closes the shared connection.
 */
import { temporalWorkerTelemetry } from '@lab/platform/telemetry';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Worker } from '@temporalio/worker';
import { SESSIONS_CONFIG, type SessionsConfig } from '../config/sessions.config';
import { RotationService } from '../rotation/rotation.service';
import { TemporalConnection } from './temporal';
import { TurnActivities } from './turn-activities';
import { workflowCode } from './workflow-code';

@Injectable()
export class SessionsWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SessionsWorker.name);
  private worker?: Worker;
  private running?: Promise<void>;

  constructor(
    @Inject(SESSIONS_CONFIG) private readonly config: SessionsConfig,
    private readonly temporal: TemporalConnection,
    private readonly activities: TurnActivities,
    private readonly rotation: RotationService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const telemetry = temporalWorkerTelemetry();
    this.worker = await Worker.create({
      connection: await this.temporal.connection(),
      namespace: this.config.temporalNamespace,
      taskQueue: this.config.sessionsTaskQueue,
      ...workflowCode(telemetry.interceptors !== undefined),
      activities: { ...this.activities.functions(), ...this.rotation.functions() },
      dataConverter: this.temporal.dataConverter(),
      ...telemetry,
      shutdownGraceTime: '20 seconds',
    });
    this.running = this.worker.run().catch((error: unknown) => {
      this.logger.error(
        `sessions worker stopped: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.worker && this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running;
    await this.temporal.close();
  }
}
