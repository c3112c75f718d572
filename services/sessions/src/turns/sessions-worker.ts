/**
 * This service's Temporal worker: polls the `sessions` queue for the persistence activities.
 * Starts with the application and, on shutdown, stops polling and lets running activities finish.
 */
import { temporalWorkerTelemetry } from '@lab/platform/telemetry';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { encryptedDataConverter, keyRingFromString } from '@lab/platform';
import { NativeConnection, Worker } from '@temporalio/worker';
import { SESSIONS_CONFIG, type SessionsConfig } from '../config/sessions.config';
import { TurnActivities } from './turn-activities';

@Injectable()
export class SessionsWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SessionsWorker.name);
  private worker?: Worker;
  private connection?: NativeConnection;
  private running?: Promise<void>;

  constructor(
    @Inject(SESSIONS_CONFIG) private readonly config: SessionsConfig,
    private readonly activities: TurnActivities,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.connection = await NativeConnection.connect({ address: this.config.temporalAddress });
    this.worker = await Worker.create({
      connection: this.connection,
      namespace: this.config.temporalNamespace,
      taskQueue: this.config.sessionsTaskQueue,
      activities: this.activities.functions(),
      dataConverter: encryptedDataConverter(keyRingFromString(this.config.payloadKeys)),
      ...temporalWorkerTelemetry(),
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
    await this.connection?.close();
  }
}
