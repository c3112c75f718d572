import type { GatewayConfig } from '../config/gateway.config';
import { OPS_PANELS, OpsMetricsService, seriesName, stepFor, toSeries } from './ops-metrics';

describe('the ops metrics', () => {
  it('names a series by its query, else by its label values', () => {
    expect(seriesName({ workflow: 'turn', type: 'LlmUnavailable' })).toBe('LlmUnavailable turn');
    expect(seriesName({ __name__: 'x', stage: 'reply' })).toBe('reply');
    expect(seriesName({})).toBe('all');
    expect(seriesName({ workflow: 'turn' }, 'p95')).toBe('p95');
  });

  it('turns a Prometheus matrix into points, NaN and infinities as gaps', () => {
    expect(
      toSeries([
        {
          metric: { workflow: 'turn' },
          values: [
            [100, '0.5'],
            [105, 'NaN'],
            [110, '+Inf'],
          ],
        },
      ]),
    ).toEqual([
      {
        name: 'turn',
        points: [
          [100, 0.5],
          [105, null],
          [110, null],
        ],
      },
    ]);
  });

  it('takes about 120 points whatever the range, never under 5 s apart', () => {
    expect(stepFor(60)).toBe(30);
    expect(stepFor(5)).toBe(5);
    expect(stepFor(1440)).toBe(720);
  });

  it('covers turns, latency percentiles, failures, guard hits, LLM errors and both lags', () => {
    expect(OPS_PANELS.map((panel) => panel.id)).toEqual([
      'turns',
      'latency',
      'failures',
      'guardHits',
      'llmErrors',
      'outboxLag',
      'consumerLag',
    ]);
    expect(OPS_PANELS[1]!.queries.map((query) => query.name)).toEqual(['p50', 'p95', 'p99']);
  });

  it('reads up to now, not to the last step boundary, so the newest traffic is on the chart', async () => {
    const asked: URLSearchParams[] = [];
    const fetch = jest.spyOn(globalThis, 'fetch').mockImplementation((url) => {
      const href = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url;
      asked.push(new URL(href).searchParams);
      return Promise.resolve(Response.json({ status: 'success', data: { result: [] } }));
    });
    try {
      const service = new OpsMetricsService({
        prometheusUrl: 'http://prometheus.test',
      } as GatewayConfig);
      const now = new Date('2026-12-02T10:00:29.700Z');
      const metrics = await service.read(60, now);
      const end = String(Math.floor(now.getTime() / 1000));
      expect(asked.length).toBeGreaterThan(0);
      for (const params of asked) {
        expect(params.get('end')).toBe(end);
        expect(params.get('start')).toBe(String(Number(end) - 3600));
        expect(params.get('step')).toBe('30');
      }
      expect(metrics.to).toBe('2026-12-02T10:00:29.000Z');
    } finally {
      fetch.mockRestore();
    }
  });
});
