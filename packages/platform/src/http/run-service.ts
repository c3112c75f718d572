/**
 * A service's `main`: load and validate the configuration, build the app, listen. A
 * configuration problem prints its message (which names the variables); anything else its stack.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';

export interface ServiceConfig {
  port: number;
  host: string;
}

export function runService<C extends ServiceConfig>(
  name: string,
  loadConfig: () => C,
  createApp: (config: C) => Promise<NestExpressApplication>,
): void {
  const start = async () => {
    const config = loadConfig();
    const app = await createApp(config);
    await app.listen(config.port, config.host);
  };
  start().catch((error: unknown) => {
    const configProblem = error instanceof Error && error.name === 'ConfigError';
    const message =
      error instanceof Error ? (configProblem ? error.message : error.stack) : String(error);
    process.stderr.write(`${name}: failed to start: ${message}\n`);
    process.exit(1);
  });
}
