import { resolveInfrastructure } from './resolve';
import type { Component } from './variables';

const fullEnvironment = {
  DATABASE_URL: 'postgres://u:p@db.example:5432/lab',
  REDIS_URL: 'redis://cache.example:6379',
  TEMPORAL_ADDRESS: 'temporal.example:7233',
  TEMPORAL_NAMESPACE: 'prod',
  KAFKA_BROKERS: 'k1.example:9092,k2.example:9092',
  S3_ENDPOINT: 'https://s3.example',
  S3_BUCKET: 'archives',
  S3_REGION: 'eu-west-1',
};

function providers(docker: boolean) {
  const calls = { containers: [] as Component[][], local: [] as Component[][], released: 0 };
  return {
    calls,
    options: {
      detectDocker: () => Promise.resolve(docker),
      startContainers: (components: readonly Component[]) => {
        calls.containers.push([...components]);
        return Promise.resolve({
          variables: Object.fromEntries(
            components.map((c) => [`${c.toUpperCase()}_FROM`, 'containers']),
          ),
          stop: () => {
            calls.released += 1;
            return Promise.resolve();
          },
        });
      },
      startLocal: (components: readonly Component[]) => {
        calls.local.push([...components]);
        return Promise.resolve(
          Object.fromEntries(components.map((c) => [`${c.toUpperCase()}_FROM`, 'local'])),
        );
      },
    },
  };
}

describe('resolveInfrastructure', () => {
  it('uses the environment when it gives every component, starting nothing', async () => {
    const { calls, options } = providers(true);
    const resolved = await resolveInfrastructure({ ...options, env: fullEnvironment });
    expect(resolved.variables).toEqual(fullEnvironment);
    expect(new Set(Object.values(resolved.sources))).toEqual(new Set(['environment']));
    expect(calls.containers).toEqual([]);
    expect(calls.local).toEqual([]);
  });

  it('starts containers for the missing components when a Docker engine answers', async () => {
    const { calls, options } = providers(true);
    const resolved = await resolveInfrastructure({
      ...options,
      env: { DATABASE_URL: 'postgres://given/lab' },
    });
    expect(calls.containers).toEqual([['redis', 'temporal', 'kafka', 's3']]);
    expect(calls.local).toEqual([]);
    expect(resolved.sources).toEqual({
      postgres: 'environment',
      redis: 'containers',
      temporal: 'containers',
      kafka: 'containers',
      s3: 'containers',
    });
    expect(resolved.variables.DATABASE_URL).toBe('postgres://given/lab');
    expect(resolved.variables.KAFKA_FROM).toBe('containers');
    await resolved.release();
    expect(calls.released).toBe(1);
  });

  it('falls back to scripts/infra when no Docker engine answers', async () => {
    const { calls, options } = providers(false);
    const resolved = await resolveInfrastructure({ ...options, env: {} });
    expect(calls.containers).toEqual([]);
    expect(calls.local).toEqual([['postgres', 'redis', 'temporal', 'kafka', 's3']]);
    expect(Object.values(resolved.sources)).toEqual(Array(5).fill('local'));
  });

  it('honours INFRA_PROVIDER over detection, and rejects an unknown one', async () => {
    const forcedLocal = providers(true);
    await resolveInfrastructure({ ...forcedLocal.options, env: { INFRA_PROVIDER: 'local' } });
    expect(forcedLocal.calls.local).toHaveLength(1);
    expect(forcedLocal.calls.containers).toHaveLength(0);

    const forcedContainers = providers(false);
    await resolveInfrastructure({
      ...forcedContainers.options,
      env: { INFRA_PROVIDER: 'containers' },
    });
    expect(forcedContainers.calls.containers).toHaveLength(1);

    await expect(
      resolveInfrastructure({ ...providers(false).options, env: { INFRA_PROVIDER: 'kubernetes' } }),
    ).rejects.toThrow(/INFRA_PROVIDER must be auto, local or containers/);
  });

  it('resolves only the components asked for', async () => {
    const { calls, options } = providers(false);
    await resolveInfrastructure({ ...options, env: {}, components: ['postgres', 'redis'] });
    expect(calls.local).toEqual([['postgres', 'redis']]);
  });
});
