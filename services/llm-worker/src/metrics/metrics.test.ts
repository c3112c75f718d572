import { TURN_ERRORS } from '@lab/contracts';
import { costOf, findModel } from '@lab/conversation';
import { ApplicationFailure } from '@temporalio/common';
import { register } from 'prom-client';
import { loadConfig } from '../config';
import { toLlmFailure } from '../llm/llm-failure';
import { errorKind, recordCall, startMetricsServer } from './metrics';

const failure = (type: string) => ApplicationFailure.create({ type, message: type });

describe('llm-worker metrics', () => {
  it('labels failed calls by kind', () => {
    expect(errorKind(toLlmFailure({ status: 429 }))).toBe('rate_limited');
    expect(errorKind(toLlmFailure({ status: 503 }))).toBe('unavailable');
    expect(errorKind(toLlmFailure(new Error('socket hang up')))).toBe('unavailable');
    expect(errorKind(toLlmFailure({ status: 400 }))).toBe('rejected');
    expect(errorKind(toLlmFailure({ status: 401 }, { userKey: true }))).toBe('key_rejected');
    expect(errorKind(failure(TURN_ERRORS.keyUnavailable))).toBe('key_unavailable');
    expect(errorKind(failure('Something'))).toBe('other');
    expect(errorKind(new Error('x'))).toBe('other');
    expect(errorKind(toLlmFailure({ status: 503 }), true)).toBe('cancelled');
  });

  it('serves the recorded series and the process metrics on /metrics, and nothing else', async () => {
    recordCall({ model: 'gpt-4o-mini', endpoint: 'chat' }, 0.3, {
      ok: true,
      promptTokens: 12,
      completionTokens: 5,
      streamGuardHit: true,
    });
    recordCall({ model: 'gpt-4o-mini', endpoint: 'chat' }, 1.2, {
      ok: false,
      kind: 'rate_limited',
    });
    const server = await startMetricsServer('127.0.0.1', 0);
    try {
      const answer = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe(register.contentType);
      const text = await answer.text();
      expect(text).toContain(
        'llm_call_duration_seconds_count{model="gpt-4o-mini",endpoint="chat",outcome="ok"} 1',
      );
      expect(text).toContain(
        'llm_call_duration_seconds_count{model="gpt-4o-mini",endpoint="chat",outcome="rate_limited"} 1',
      );
      expect(text).toContain('llm_tokens_total{model="gpt-4o-mini",kind="prompt"} 12');
      expect(text).toContain('llm_tokens_total{model="gpt-4o-mini",kind="completion"} 5');
      const spec = findModel('gpt-4o-mini')!;
      expect(text).toContain(
        `llm_cost_usd_total{model="gpt-4o-mini"} ${costOf(spec, { promptTokens: 12, completionTokens: 5 })}`,
      );
      expect(costOf(spec, { promptTokens: 12, completionTokens: 5 })).toBeGreaterThan(0);
      expect(text).toContain('llm_errors_total{model="gpt-4o-mini",kind="rate_limited"} 1');
      expect(text).toContain('guard_hits_total{stage="stream"} 1');
      expect(text).toContain('process_cpu_user_seconds_total');
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('reads METRICS_PORT (default 9464, 0 = off), METRICS_HOST and TEMPORAL_METRICS_ADDRESS', () => {
    const base = {
      TEMPORAL_ADDRESS: 'x:1',
      REDIS_URL: 'redis://x',
      OPENAI_BASE_URL: 'http://x',
      PAYLOAD_KEYS: 'k',
      TURN_VAULT_KEY: Buffer.alloc(32).toString('base64'),
    };
    expect(loadConfig(base)).toMatchObject({
      metricsHost: '127.0.0.1',
      metricsPort: 9464,
      temporalMetricsAddress: null,
    });
    expect(loadConfig({ ...base, METRICS_PORT: '0' }).metricsPort).toBeNull();
    expect(
      loadConfig({ ...base, METRICS_HOST: '0.0.0.0', TEMPORAL_METRICS_ADDRESS: '0.0.0.0:9465' }),
    ).toMatchObject({ metricsHost: '0.0.0.0', temporalMetricsAddress: '0.0.0.0:9465' });
    expect(() => loadConfig({ ...base, METRICS_PORT: 'abc' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ ...base, TEMPORAL_METRICS_ADDRESS: '9465' })).toThrow(
      /TEMPORAL_METRICS_ADDRESS/,
    );
  });
});
