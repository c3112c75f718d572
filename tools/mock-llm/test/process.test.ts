import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import OpenAI from 'openai';

// The mock as scripts/up runs it: the built main.js, configured by the environment.
const main = join(__dirname, '..', 'dist', 'src', 'main.js');

async function startProcess(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; baseURL: string }> {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, MOCK_LLM_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const entry = JSON.parse(line) as { msg: string; baseURL?: string };
    if (entry.msg === 'mock-llm listening' && entry.baseURL)
      return { child, baseURL: entry.baseURL };
  }
  throw new Error('mock-llm exited before listening');
}

describe('mock-llm process', () => {
  it('serves the OpenAI SDK with the configured latency and stops cleanly on SIGTERM', async () => {
    const { child, baseURL } = await startProcess({ MOCK_LLM_LATENCY_MS: '150' });
    try {
      const client = new OpenAI({ apiKey: 'any', baseURL, maxRetries: 0 });
      const models = await client.models.list();
      expect(models.data.map((m) => m.id)).toContain('gpt-4o-mini');

      const startedAt = Date.now();
      const reply = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'ping from the process test' }],
      });
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(150);
      expect(reply.choices[0]?.message.content).toContain('ping from the process test');
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
    }
  });

  it('requires the configured API key', async () => {
    const { child, baseURL } = await startProcess({ MOCK_LLM_API_KEY: 'sk-right' });
    try {
      const wrong = new OpenAI({ apiKey: 'sk-wrong', baseURL, maxRetries: 0 });
      await expect(wrong.models.list()).rejects.toMatchObject({ status: 401 });
      const right = new OpenAI({ apiKey: 'sk-right', baseURL, maxRetries: 0 });
      await expect(right.models.list()).resolves.toBeDefined();
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('rejects a revoked-looking key as configured, and shows each request’s key to tests', async () => {
    const { child, baseURL } = await startProcess({ MOCK_LLM_REJECT_KEYS_CONTAINING: 'revoked' });
    try {
      const revoked = new OpenAI({ apiKey: 'sk-revoked-7', baseURL, maxRetries: 0 });
      await expect(revoked.models.list()).rejects.toMatchObject({
        status: 401,
        code: 'invalid_api_key',
      });
      const other = new OpenAI({ apiKey: 'sk-invalid-but-allowed-here', baseURL, maxRetries: 0 });
      await expect(other.models.list()).resolves.toBeDefined();
      const root = baseURL.replace(/\/v1$/, '');
      const log = (await (await fetch(`${root}/_mock/requests`)).json()) as {
        requests: Array<{ path: string; authorization?: string; status?: number }>;
      };
      expect(log.requests.map((r) => [r.path, r.authorization, r.status])).toEqual([
        ['/v1/models', 'Bearer sk-revoked-7', 401],
        ['/v1/models', 'Bearer sk-invalid-but-allowed-here', 200],
      ]);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
