/**
 * The assistants service: `node services/assistants/dist/src/main.js`. Validates its
 * configuration, migrates its schema, serves; SIGTERM closes the server, then the database.
 */
import { createApp } from './app';
import { ConfigError, loadConfig } from './config/assistants.config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
}

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError
      ? error.message
      : error instanceof Error
        ? error.stack
        : String(error);
  process.stderr.write(`assistants: failed to start: ${message}\n`);
  process.exit(1);
});
