/**
 * Prints the OpenAPI document without starting anything: the application graph is built in
 * Nest's preview mode (no provider runs, no connection is made), which is all the document
 * needs. `npm run generate -w @lab/client` turns it into the typed client.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { generateKeyRingString } from '@lab/platform';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/gateway.config';
import { buildOpenApiDocument } from './openapi';

const PLACEHOLDER = 'http://127.0.0.1:1';

async function main(): Promise<void> {
  const config = loadConfig({
    PUBLIC_URL: process.env.PUBLIC_URL ?? 'http://127.0.0.1:3000',
    DATABASE_URL: 'postgres://preview@127.0.0.1:1/preview',
    REDIS_URL: 'redis://127.0.0.1:1',
    ASSISTANTS_URL: PLACEHOLDER,
    ASSISTANTS_TOKEN: 'labint_preview-token-0123456789',
    SESSIONS_URL: PLACEHOLDER,
    SESSIONS_TOKEN: 'labint_preview-token-0123456789',
    OPENAI_BASE_URL: PLACEHOLDER,
    IDENTITY_SALT: 'preview-salt-0123456789',
    MASTER_KEYS: generateKeyRingString('preview'),
    TURN_VAULT_KEY: randomBytes(32).toString('base64'),
  });
  const app = await NestFactory.create(AppModule.forRoot(config), { preview: true, logger: false });
  process.stdout.write(`${JSON.stringify(buildOpenApiDocument(app, config.publicUrl), null, 2)}\n`);
  await app.close();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `openapi export failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
