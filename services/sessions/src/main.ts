/**
 * The sessions service: `node services/sessions/dist/src/main.js`. Validates its configuration,
 * migrates its schema, serves the API and runs its Temporal worker (`sessions` queue); SIGTERM
 * stops both, finishing in-flight work first.
 */
import { createApp } from './app';
import { ConfigError, loadConfig } from './config/sessions.config';

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
  process.stderr.write(`sessions: failed to start: ${message}\n`);
  process.exit(1);
});
