/**
 * Prometheus metrics after real turns, through the four services as processes: the llm-worker's
 * own `/metrics` listener, the sessions service's turn metrics, the gateway's request histogram.
 */
import { assistantDraft } from './support/fixtures';
import { type E2ePlatform, openAiKey, startE2ePlatform } from './support/e2e-platform';

jest.setTimeout(180_000);

/** A sample's value in the Prometheus text format (0 when the series is absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('metrics after real turns (real services)', () => {
  let p: E2ePlatform;
  beforeAll(async () => {
    p = await startE2ePlatform('metrics');
  });
  afterAll(async () => {
    await p?.close();
  });

  it('moves the llm-worker, sessions and gateway series', async () => {
    const scrape = async (url: string) => {
      const answer = await fetch(url);
      expect(answer.status).toBe(200);
      return answer.text();
    };
    const key = openAiKey();
    expect((await p.call('POST', '/v1/sign-in', key)).status).toBeLessThan(300);
    const created = await p.call('POST', '/v1/assistants', key, assistantDraft('Metrics Coach'));
    expect(created.status).toBe(201);
    const assistantId = created.body.id as string;
    const started = await p.call('POST', '/v1/sessions', key, { assistantId });
    expect(started.status).toBe(201);
    const sessionId = started.body.session.id as string;
    const turn = await p.call('POST', `/v1/sessions/${sessionId}/messages`, key, {
      content: 'Hello',
    });
    expect(turn.status).toBe(201);

    const worker = await scrape(p.workerMetricsUrl);
    const calls = worker
      .split('\n')
      .filter((l) => l.startsWith('llm_call_duration_seconds_count{') && l.includes('outcome="ok"'))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    expect(calls).toBeGreaterThanOrEqual(2); // the opening turn and the message
    expect(worker).toMatch(/llm_tokens_total\{model="[^"]+",kind="completion"\} [1-9]/);
    expect(worker).toContain('process_cpu_user_seconds_total');

    const sessions = await scrape(`${p.sessionsUrl}/metrics`);
    expect(
      sample(sessions, 'turn_duration_seconds_count{workflow="turn",outcome="ok",stream="no"}'),
    ).toBe(2);
    expect(sample(sessions, 'turns_total{workflow="turn",outcome="ok"}')).toBe(2);
    expect(sample(sessions, 'turn_tokens_total{kind="completion"}')).toBeGreaterThan(0);

    const gateway = await scrape(`${p.url}/metrics`);
    expect(gateway).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="[^"]*\/sessions\/:[A-Za-z]+\/messages",status="201"\} 1/,
    );
    expect(gateway).not.toContain(sessionId);
  });
});
