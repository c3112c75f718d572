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
});
