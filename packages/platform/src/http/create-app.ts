/**
 * A service's Nest application, built the same way everywhere: pino as the logger, an HTTP
 * server whose own errors and timeouts answer in the error model (http-server.ts), JSON bodies
 * that cannot crash it (json-body.ts), shutdown hooks so SIGTERM drains and closes.
 */
import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import {
  DEFAULT_HTTP_SERVER_LIMITS,
  HardenedExpressAdapter,
  type HttpServerLimits,
  urlLength,
} from './http-server';
import { jsonBody, queryText } from './json-body';

export async function createHttpApp(
  module: DynamicModule,
  bodyLimit: string,
  limits: HttpServerLimits = DEFAULT_HTTP_SERVER_LIMITS,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    module,
    new HardenedExpressAdapter(limits),
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  app.use(urlLength, queryText, ...jsonBody(bodyLimit));
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  return app;
}
