/**
 * docker-compose.yml, checked without a Docker engine: against the Compose Specification's JSON
 * schema (the one the compose-go loader of Docker Compose validates with), then against the code
 * it runs: every variable a service requires is set and accepted by the service's own
 * configuration loader, nothing is set that no code reads, ports and probes are the services'.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { environmentOf, interpolate, loadCompose } from './support/compose';
import {
  defaultMetricsPort,
  defaultPort,
  loadServiceConfig,
  requiredVariables,
  ROOT,
  SERVICES,
  service,
  variablesRead,
} from './support/platform';

const compose = loadCompose();
const INFRASTRUCTURE = ['postgres', 'redis', 'temporal', 'temporal-ui', 'kafka', 'minio'];

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    const schemaPath = process.env.COMPOSE_SCHEMA;
    expect(schemaPath).toBeTruthy();
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath!, 'utf8')));
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is rejected by the same check when it is wrong (the check has teeth)', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(process.env.COMPOSE_SCHEMA!, 'utf8')));
    const broken = structuredClone(compose);
    (broken.services.gateway as Record<string, unknown>).depends_on = { postgres: 'healthy' };
    (broken.services.redis as Record<string, unknown>).helthcheck = {};
    expect(validate(broken)).toBe(false);
  });

  it('runs the whole stack: infrastructure, the four services, the mock LLM, the seed', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining([
        ...INFRASTRUCTURE,
        'minio-bucket',
        ...SERVICES.map((s) => s.name),
        'assistants-seed',
      ]),
    );
    expect(compose.services.kafka!.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(compose.services.kafka!.environment).toMatchObject({
      KAFKA_PROCESS_ROLES: 'broker,controller',
    });
    expect(compose.services.postgres!.image).toMatch(/^postgres:16/);
    expect(compose.services.redis!.image).toMatch(/^redis:7/);
    expect(compose.services['minio-bucket']!.entrypoint).toEqual(
      expect.arrayContaining([expect.stringContaining('mc mb --ignore-existing lab/lab')]),
    );
    // The services need nothing from a profile: `docker compose up` is the whole platform.
    for (const name of [...INFRASTRUCTURE, ...SERVICES.map((s) => s.name)]) {
      expect([name, compose.services[name]!.profiles]).toEqual([name, undefined]);
    }
  });

  it('starts in order of health: every condition names a service able to meet it', () => {
    for (const [name, definition] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(definition.depends_on ?? {})) {
        const target = compose.services[dependency];
        expect([name, dependency, Boolean(target)]).toEqual([name, dependency, true]);
        if (condition === 'service_healthy') {
          expect([dependency, Boolean(target!.healthcheck)]).toEqual([dependency, true]);
        }
        if (condition === 'service_completed_successfully') {
          expect([dependency, target!.restart]).toEqual([dependency, 'no']);
        }
      }
    }
    expect(Object.keys(compose.services.gateway!.depends_on!)).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'assistants', 'sessions']),
    );
    expect(compose.services.sessions!.depends_on!.temporal!.condition).toBe('service_healthy');
    expect(compose.services.gateway!.ports).toEqual(['3000:3000']);
  });

  describe.each(SERVICES.map((s) => s.name))('%s', (name) => {
    const target = service(name);
    const definition = compose.services[name]!;
    const env = environmentOf(definition);

    it('is built from the one Dockerfile, as its own target', () => {
      const dockerfile = definition.build!.dockerfile;
      expect(dockerfile).toBe('deploy/docker/Dockerfile');
      expect(existsSync(join(ROOT, dockerfile))).toBe(true);
      expect(definition.build!.target).toBe(target.name);
      expect(definition.build!.context).toBe('.');
    });

    it('gets every variable its configuration requires, accepted by its own loader', () => {
      for (const variable of requiredVariables(target)) {
        expect([variable, env[variable] ? 'set' : 'missing']).toEqual([variable, 'set']);
      }
      expect(() => loadServiceConfig(target, env)).not.toThrow();
    });

    it('sets nothing that no code of the service reads', () => {
      const read = variablesRead(target);
      expect(Object.keys(env).filter((variable) => !read.has(variable))).toEqual([]);
    });

    if (target.http) {
      it('listens on its own port, on every interface, and is probed there', () => {
        const port = Number(env[target.http!.portVariable] ?? defaultPort(target));
        expect(port).toBe(defaultPort(target));
        const config = loadServiceConfig(target, env) as { host: string; port: number };
        expect(config.host).toBe('0.0.0.0');
        const probe = (definition.healthcheck!.test as string[]).join(' ');
        expect(probe).toContain(`http://127.0.0.1:${port}/`);
        expect(probe).toMatch(new RegExp(`(${target.http!.readiness}|${target.http!.liveness})`));
      });
    }

    if (target.metrics) {
      it('serves /metrics on its own port, on every interface, and is checked there', () => {
        const { hostVariable, portVariable, path } = target.metrics!;
        const port = Number(env[portVariable] ?? defaultMetricsPort(target));
        expect(port).toBe(defaultMetricsPort(target));
        expect(env[hostVariable]).toBe('0.0.0.0');
        const config = loadServiceConfig(target, env) as {
          metricsHost: string;
          metricsPort: number | null;
        };
        expect(config).toMatchObject({ metricsHost: '0.0.0.0', metricsPort: port });
        const probe = (definition.healthcheck!.test as string[]).join(' ');
        expect(probe).toContain(`http://127.0.0.1:${port}${path}`);
        // Nothing waits on it being healthy: a liveness check only (see the Dockerfile).
        for (const [other, { depends_on }] of Object.entries(compose.services)) {
          expect([other, depends_on?.[name]]).toEqual([other, undefined]);
        }
      });
    }
  });

  it('wires the services to each other with matching tokens, addresses and keys', () => {
    const gateway = environmentOf(compose.services.gateway!);
    const assistants = environmentOf(compose.services.assistants!);
    const sessions = environmentOf(compose.services.sessions!);
    const worker = environmentOf(compose.services['llm-worker']!);
    expect(assistants.INTERNAL_TOKENS).toBe(
      `gateway=${gateway.ASSISTANTS_TOKEN},sessions=${sessions.ASSISTANTS_TOKEN}`,
    );
    expect(sessions.INTERNAL_TOKENS).toBe(`gateway=${gateway.SESSIONS_TOKEN}`);
    expect(gateway.ASSISTANTS_URL).toBe(`http://assistants:${assistants.PORT}`);
    expect(gateway.SESSIONS_URL).toBe(`http://sessions:${sessions.PORT}`);
    expect(sessions.ASSISTANTS_URL).toBe(gateway.ASSISTANTS_URL);
    expect(worker.PAYLOAD_KEYS).toBe(sessions.PAYLOAD_KEYS);
    expect(worker.TURN_VAULT_KEY).toBe(sessions.TURN_VAULT_KEY);
    expect(worker.TEMPORAL_ADDRESS).toBe(sessions.TEMPORAL_ADDRESS);
    expect(worker.OPENAI_BASE_URL).toBe('http://mock-llm:18080/v1');
    expect(gateway.OPENAI_BASE_URL).toBe(worker.OPENAI_BASE_URL);
    for (const env of [gateway, assistants, sessions]) {
      expect(env).toMatchObject({ KAFKA_BROKERS: 'kafka:9092', EVENTS_TOPIC: 'chat.events' });
    }
    // Object storage: the sessions service only (the one that reads it), on the MinIO compose
    // runs, with the bucket minio-bucket makes; its download links name MinIO as the host
    // publishes it.
    for (const env of [gateway, assistants, worker]) {
      expect(Object.keys(env).filter((n) => n.startsWith('S3_'))).toEqual([]);
    }
    const minio = compose.services.minio!;
    expect(sessions).toMatchObject({
      S3_ENDPOINT: 'http://minio:9000',
      S3_BUCKET: 'lab',
      S3_ACCESS_KEY_ID: minio.environment!.MINIO_ROOT_USER,
      S3_SECRET_ACCESS_KEY: minio.environment!.MINIO_ROOT_PASSWORD,
    });
    const published = minio.ports!.find((p) => p.endsWith(':9000'))!.split(':')[0];
    expect(sessions.S3_PUBLIC_ENDPOINT).toBe(`http://localhost:${published}`);
    expect(loadCompose({ MINIO_PORT: '9100' }).services.sessions!.environment).toMatchObject({
      S3_PUBLIC_ENDPOINT: 'http://localhost:9100',
    });
    const storage = (loadServiceConfig(service('sessions'), sessions) as { storage: unknown })
      .storage;
    expect(storage).toMatchObject({ bucket: 'lab', forcePathStyle: true, prefix: '' });
  });

  it('takes the users’ spend caps from the shell, none by default', () => {
    const caps = (env: Record<string, string | undefined>) =>
      (
        loadServiceConfig(
          service('gateway'),
          environmentOf(loadCompose(env).services.gateway!),
        ) as { userSpendCaps: unknown }
      ).userSpendCaps;
    expect(caps({})).toEqual({ daily: null, weekly: null, monthly: null });
    expect(caps({ SPEND_CAP_USER_DAILY_USD: '2', SPEND_CAP_USER_MONTHLY_USD: '30' })).toEqual({
      daily: 2,
      weekly: null,
      monthly: 30,
    });
  });

  it('takes a real provider and other secrets from the shell', () => {
    const custom = loadCompose({
      OPENAI_BASE_URL: 'https://llm.example/v1',
      OPENAI_API_KEY: 'sk-real',
      PAYLOAD_KEYS: 'k2:abc',
    });
    expect(custom.services['llm-worker']!.environment).toMatchObject({
      OPENAI_BASE_URL: 'https://llm.example/v1',
      OPENAI_API_KEY: 'sk-real',
      PAYLOAD_KEYS: 'k2:abc',
    });
    expect(custom.services.sessions!.environment!.PAYLOAD_KEYS).toBe('k2:abc');
    expect(interpolate('$$(hostname -i) ${A:-x} ${B-y} $C', { B: '' })).toBe('$(hostname -i) x  ');
  });

  it('has an observability profile: Prometheus scraping the services, Grafana with the dashboard', () => {
    expect(compose.services.prometheus!.profiles).toEqual(['observability']);
    expect(compose.services.grafana!.profiles).toEqual(['observability']);
    for (const volume of [
      ...compose.services.prometheus!.volumes!,
      ...compose.services.grafana!.volumes!,
    ]) {
      const source = volume.split(':')[0]!;
      if (source.startsWith('./'))
        expect([source, existsSync(join(ROOT, source))]).toEqual([source, true]);
    }
    const prometheus = parse(
      readFileSync(join(ROOT, 'deploy/compose/prometheus/prometheus.yml'), 'utf8'),
    ) as { scrape_configs: { static_configs: { targets: string[] }[] }[] };
    const targets = prometheus.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap((config) => config.targets),
    );
    for (const name of ['gateway', 'assistants', 'sessions']) {
      expect(targets).toContain(`${name}:${defaultPort(service(name))}`);
    }
    const worker = environmentOf(compose.services['llm-worker']!);
    expect(targets).toContain(`llm-worker:${worker.METRICS_PORT}`);
  });
});
