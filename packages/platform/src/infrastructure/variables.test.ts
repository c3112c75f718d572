import { givenComponents, parseEnvLines, pickVariables } from './variables';

describe('infrastructure variables', () => {
  it('parses the export lines scripts/infra prints', () => {
    const parsed = parseEnvLines(
      [
        'export DATABASE_URL=postgres://lab:lab@127.0.0.1:15432/lab',
        "export S3_BUCKET='lab'",
        'REDIS_URL="redis://127.0.0.1:16379"',
        '',
        '# a comment',
        'not a variable line',
      ].join('\n'),
    );
    expect(parsed).toEqual({
      DATABASE_URL: 'postgres://lab:lab@127.0.0.1:15432/lab',
      S3_BUCKET: 'lab',
      REDIS_URL: 'redis://127.0.0.1:16379',
    });
  });

  it('knows a component as given by its defining variable only', () => {
    expect(givenComponents({ S3_BUCKET: 'x', REDIS_URL: 'redis://r', DATABASE_URL: '' })).toEqual([
      'redis',
    ]);
  });

  it('picks the set variables of the given components', () => {
    expect(
      pickVariables({ TEMPORAL_ADDRESS: 't:7233', KAFKA_BROKERS: 'k:9092', OTHER: 'x' }, [
        'temporal',
      ]),
    ).toEqual({ TEMPORAL_ADDRESS: 't:7233' });
  });
});
