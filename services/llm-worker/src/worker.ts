/**
 * The llm-worker: polls the `chat-turns` queue for the model-facing activities of the session and
 * exchange workflows (which the sessions service runs). Payloads are encrypted by the codec on
 * the way to the server; the turn's key and a user's own provider key come from the turn vault
 * (Redis), never from Temporal.
 */
import { temporalWorkerTelemetry } from '@lab/platform/telemetry';
import { keyRingFromString, TurnVault } from '@lab/platform';
import { encryptedDataConverter } from '@lab/platform/temporal';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Redis } from 'ioredis';
import OpenAI from 'openai';
import type { LlmWorkerConfig } from './config';
import { redisCallMemo } from './exchange/call-memo';
import { guardKey } from './guard/canary';
import { SemanticStage } from './guard/semantic';
import { createExchangeActivities } from './exchange/exchange.activities';
import { redisTurnStream } from './stream/turn-stream';

export interface LlmWorker {
  worker: Worker;
  connection: NativeConnection;
}

/** `overrides` lets a benchmark try other worker options on the same composition. */
export async function createLlmWorker(
  config: LlmWorkerConfig,
  redis: Redis,
  overrides: Partial<WorkerOptions> = {},
): Promise<LlmWorker> {
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const openai = new OpenAI({
    baseURL: config.openaiBaseUrl,
    apiKey: config.openaiApiKey,
    maxRetries: 0,
    timeout: config.llmTimeoutMs,
  });
  const vault = new TurnVault(redis, config.turnVaultKey);
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    activities: createExchangeActivities({
      openai,
      stream: redisTurnStream(redis, vault),
      vault,
      memo: redisCallMemo(redis),
      guard: {
        canaryKey: guardKey(config.turnVaultKey, 'canary'),
        ...(config.guardEmbeddingModel
          ? {
              semantic: new SemanticStage(
                redis,
                guardKey(config.turnVaultKey, 'embeddings'),
                config.guardEmbeddingModel,
              ),
            }
          : {}),
      },
    }),
    dataConverter: encryptedDataConverter(keyRingFromString(config.payloadKeys)),
    ...temporalWorkerTelemetry(),
    maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
    shutdownGraceTime: config.shutdownGraceMs,
    ...overrides,
  });
  return { worker, connection };
}
