/**
 * This service's one connection to Temporal, shared by its worker and its client: the worker
 * polls through it, and workflows started through the same connection can be started eagerly
 * (the start call hands the first workflow task to this process's worker, skipping a dispatch).
 * The worker closes it after it has stopped (see sessions-worker.ts).
 */
import { temporalClientInterceptors } from '@lab/platform/telemetry';
import { Inject, Injectable } from '@nestjs/common';
import { keyRingFromString } from '@lab/platform';
import { encryptedDataConverter } from '@lab/platform/temporal';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { SESSIONS_CONFIG, type SessionsConfig } from '../config/sessions.config';

@Injectable()
export class TemporalConnection {
  private connecting?: Promise<{ connection: NativeConnection; client: Client }>;

  constructor(@Inject(SESSIONS_CONFIG) private readonly config: SessionsConfig) {}

  async connection(): Promise<NativeConnection> {
    return (await this.connect()).connection;
  }

  async client(): Promise<Client> {
    return (await this.connect()).client;
  }

  dataConverter() {
    return encryptedDataConverter(keyRingFromString(this.config.payloadKeys));
  }

  async close(): Promise<void> {
    if (!this.connecting) return;
    const { connection } = await this.connecting.catch(() => ({ connection: undefined }));
    this.connecting = undefined;
    await connection?.close();
  }

  private connect() {
    this.connecting ??= NativeConnection.connect({ address: this.config.temporalAddress }).then(
      (connection) => ({
        connection,
        client: new Client({
          connection,
          namespace: this.config.temporalNamespace,
          dataConverter: this.dataConverter(),
          interceptors: temporalClientInterceptors(),
        }),
      }),
    );
    this.connecting.catch(() => {
      this.connecting = undefined; // a later call tries again
    });
    return this.connecting;
  }
}
