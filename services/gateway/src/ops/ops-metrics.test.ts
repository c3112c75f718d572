import { OPS_PANELS, seriesName, stepFor, toSeries } from './ops-metrics';

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
});
