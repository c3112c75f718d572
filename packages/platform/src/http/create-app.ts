/**
 * A service's Nest application, built the same way everywhere: pino as the logger, JSON bodies
 * with a size limit answering in the error model, shutdown hooks so SIGTERM drains and closes.
 */
import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { jsonBody } from './json-body';

export async function createHttpApp(
  module: DynamicModule,
  bodyLimit: string,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.use(...jsonBody(bodyLimit));
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  return app;
}
