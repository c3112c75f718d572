/**
 * `node tools/mock-llm/dist/src/main.js`: the mock server as a process, configured from the
 * environment (see config.ts). Logs one JSON line when listening; SIGTERM/SIGINT stop accepting,
 * let in-flight responses finish within MOCK_LLM_SHUTDOWN_GRACE_MS and cut what is left.
 */
import { optionsFromEnv } from './config';
import { startMockLlm } from './server';

function log(level: 'info' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields });
  if (level === 'error') process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const config = optionsFromEnv(process.env);
  const server = await startMockLlm(config);
  log('info', 'mock-llm listening', {
    url: server.url,
    baseURL: server.baseURL,
    models: config.models ?? 'default',
    latencyMs: config.latencyMs ?? 0,
    jitterMs: config.jitterMs ?? 0,
    auth: config.apiKey ? 'api key' : 'any key',
    rejectsKeysContaining:
      config.rejectKeysContaining === undefined ? 'invalid' : config.rejectKeysContaining,
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log('error', 'mock-llm forced exit', { signal });
      process.exit(1);
    }
    stopping = true;
    server
      .close({ graceMs: config.shutdownGraceMs })
      .then(() => {
        log('info', 'mock-llm stopped', { signal });
        process.exit(0);
      })
      .catch((error: unknown) => {
        log('error', 'mock-llm failed to stop', { error: String(error) });
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  log('error', 'mock-llm failed to start', {
    error: error instanceof Error ? error.message : String(error),
  });
  process.exit(1);
});
