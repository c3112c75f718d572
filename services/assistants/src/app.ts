/** Builds the Nest application of the service: used by main.ts, the seed command and the tests. */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { jsonBody } from '@lab/platform/http';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import type { AssistantsConfig } from './config/assistants.config';

export async function createApp(
  config: AssistantsConfig,
  logStream?: DestinationStream,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, logStream),
    {
      bufferLogs: true,
      bodyParser: false,
    },
  );
  app.useLogger(app.get(Logger));
  app.use(...jsonBody(config.bodyLimit));
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  return app;
}
