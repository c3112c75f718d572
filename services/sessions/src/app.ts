/** Builds the service's Nest application: used by main.ts, commands and the tests. */
import { createHttpApp } from '@lab/platform/http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import type { SessionsConfig } from './config/sessions.config';

export function createApp(
  config: SessionsConfig,
  logStream?: DestinationStream,
): Promise<NestExpressApplication> {
  return createHttpApp(AppModule.forRoot(config, logStream), config.bodyLimit);
}
