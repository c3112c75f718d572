/** Builds the gateway's Nest application, with its OpenAPI document and the portal: main.ts and the tests. */
import { createHttpApp } from '@lab/platform/http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import type { GatewayConfig } from './config/gateway.config';
import { mountOpenApi } from './openapi/openapi';
import { mountPortal } from './portal/portal-assets';

export async function createApp(
  config: GatewayConfig,
  logStream?: DestinationStream,
): Promise<NestExpressApplication> {
  const app = await createHttpApp(
    AppModule.forRoot(config, logStream),
    config.bodyLimit,
    config.httpLimits,
  );
  mountOpenApi(app, config.publicUrl);
  mountPortal(app, config);
  return app;
}
