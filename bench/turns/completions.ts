/**
 * `POST /v1/chat/completions` through the gateway, as an OpenAI SDK user sends it (a
 * bring-your-own key, `model: "assistant/<share code>"`), with the model answering at once: what
 * the platform itself adds to a stateless exchange (authentication, limits, the sessions
 * service, an eagerly started exchange workflow, the llm-worker's exchange, the usage). Beside
 * it, the baseline: the same request sent straight to the mock with the official SDK.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import type { BenchPlatform } from './platform';
import { percentile } from './report';

export interface CompletionsResult {
  requests: number;
  errors: string[];
  gateway: { p50: number; p95: number; p99: number };
  baseline: { p50: number; p95: number; p99: number };
}

const MARKER = 'COMPLETIONS-BENCH';

export async function runCompletions(
  platform: BenchPlatform,
  requests: number,
): Promise<CompletionsResult> {
  platform.mock.addScript({ match: MARKER, latencyMs: 0, times: 0 });
  const key = `sk-bench-${randomBytes(18).toString('base64url')}`;
  const gateway = new OpenAI({ baseURL: `${platform.e2e.url}/v1`, apiKey: key, maxRetries: 0 });
  const direct = new OpenAI({ baseURL: platform.mock.baseURL, apiKey: key, maxRetries: 0 });
  const code = platform.assistantShareCode;
  const body = (i: number) => ({
    model: `assistant/${code}`,
    messages: [{ role: 'user' as const, content: `${MARKER} ${i}: how do I plan a short week?` }],
  });
  const errors: string[] = [];
  // The first request signs the key in (the provider check, PBKDF2): not measured.
  await gateway.chat.completions.create(body(-1));
  const timed = async (call: () => Promise<unknown>, into: number[]) => {
    const started = performance.now();
    try {
      await call();
      into.push(performance.now() - started);
    } catch (error) {
      if (errors.length < 10) errors.push(error instanceof Error ? error.message : String(error));
    }
  };
  const viaGateway: number[] = [];
  const straight: number[] = [];
  for (let i = 0; i < requests; i += 1) {
    await timed(() => gateway.chat.completions.create(body(i)), viaGateway);
    await timed(
      () => direct.chat.completions.create({ ...body(i), model: 'gpt-4o-mini' }),
      straight,
    );
  }
  const stats = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
    };
  };
  return { requests, errors, gateway: stats(viaGateway), baseline: stats(straight) };
}
