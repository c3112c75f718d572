/** Server options from the environment, for `main.ts` and for containers. */
import type { MockLlmOptions } from './types';

export interface MockLlmEnvConfig extends MockLlmOptions {
  port: number;
  host: string;
  /** How long a SIGTERM/SIGINT lets in-flight responses finish before they are cut. */
  shutdownGraceMs: number;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback?: number): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  }
  return value;
}

/**
 * `MOCK_LLM_PORT` (18080), `MOCK_LLM_HOST` (127.0.0.1), `MOCK_LLM_LATENCY_MS`,
 * `MOCK_LLM_JITTER_MS`, `MOCK_LLM_CHUNK_DELAY_MS`, `MOCK_LLM_API_KEY`,
 * `MOCK_LLM_REJECT_KEYS_CONTAINING` (`invalid`; empty: off), `MOCK_LLM_MODELS` (comma-separated)
 * and `MOCK_LLM_SHUTDOWN_GRACE_MS` (5000).
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): MockLlmEnvConfig {
  const port = number(env, 'MOCK_LLM_PORT', 18080) ?? 18080;
  if (!Number.isInteger(port) || port > 65535) {
    throw new Error(`MOCK_LLM_PORT must be a port number, got "${env.MOCK_LLM_PORT}"`);
  }
  const config: MockLlmEnvConfig = {
    port,
    host: env.MOCK_LLM_HOST?.trim() || '127.0.0.1',
    shutdownGraceMs: number(env, 'MOCK_LLM_SHUTDOWN_GRACE_MS', 5000) ?? 5000,
  };
  const latencyMs = number(env, 'MOCK_LLM_LATENCY_MS');
  const jitterMs = number(env, 'MOCK_LLM_JITTER_MS');
  const chunkDelayMs = number(env, 'MOCK_LLM_CHUNK_DELAY_MS');
  if (latencyMs !== undefined) config.latencyMs = latencyMs;
  if (jitterMs !== undefined) config.jitterMs = jitterMs;
  if (chunkDelayMs !== undefined) config.chunkDelayMs = chunkDelayMs;
  const apiKey = env.MOCK_LLM_API_KEY;
  if (apiKey) config.apiKey = apiKey;
  // Set but empty turns the rejection off; unset keeps the default (`invalid`).
  const rejected = env.MOCK_LLM_REJECT_KEYS_CONTAINING;
  if (rejected !== undefined) config.rejectKeysContaining = rejected.trim() || null;
  const models = env.MOCK_LLM_MODELS?.split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  if (models?.length) config.models = models;
  return config;
}
