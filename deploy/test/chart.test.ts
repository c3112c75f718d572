/**
 * The Helm chart, checked without a cluster: `helm lint --strict`, then the manifests
 * `helm template` renders for the default and the production values, parsed and held against
 * the code (ports, probes, the variables each service's configuration requires, run through the
 * service's own loader) and against docker-compose.yml (the same services, ports and variables).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentOf, loadCompose } from './support/compose';
import {
  CHART,
  componentOf,
  containers,
  type EnvVar,
  find,
  get,
  helm,
  type K8sObject,
  PRODUCTION_VALUES,
  render,
  resolveEnv,
} from './support/chart';
import {
  defaultMetricsPort,
  defaultPort,
  loadServiceConfig,
  requiredVariables,
  ROOT,
  SECRET_VARIABLES,
  SERVICES,
  service,
  variablesRead,
} from './support/platform';

const SECRET = 'lab-assistant-platform-secrets';
const EXISTING = 'assistant-platform-secrets';

const renders = {
  default: render(),
  production: render({ values: [PRODUCTION_VALUES] }),
};

/** What an operator's Secret holds in production (formats as docs/operations.md asks). */
const productionSecret = {
  DATABASE_URL: 'postgres://lab:secret@db.example:5432/lab',
  REDIS_URL: 'rediss://:secret@redis.example:6380',
  S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  S3_SECRET_ACCESS_KEY: 'secret',
  OPENAI_API_KEY: 'sk-example',
  GATEWAY_INTERNAL_TOKEN: `labint_${'g'.repeat(48)}`,
  SESSIONS_INTERNAL_TOKEN: `labint_${'s'.repeat(48)}`,
  PAYLOAD_KEYS: `p1:${Buffer.alloc(32, 1).toString('base64')}`,
  TURN_VAULT_KEY: Buffer.alloc(32, 2).toString('base64'),
  IDENTITY_SALT: 'i'.repeat(48),
  MASTER_KEYS: `m1:${Buffer.alloc(32, 3).toString('base64')}`,
  PROMPT_KEYS: `r1:${Buffer.alloc(32, 4).toString('base64')}`,
  ADMIN_TOKEN: `labadm_${'a'.repeat(48)}`,
};

const envOf = (deployment: K8sObject): EnvVar[] =>
  deployment.spec.template.spec.containers[0].env as EnvVar[];

describe('helm lint --strict', () => {
  it.each([
    ['default values', []],
    ['values-production.yaml', ['-f', PRODUCTION_VALUES]],
  ])('passes with the %s', (_name, args) => {
    expect(helm(['lint', '--strict', CHART, ...args])).toContain('0 chart(s) failed');
  });
});

describe.each(Object.entries(renders))('the chart rendered with %s values', (mode, objects) => {
  const production = mode === 'production';
  const secretName = production ? EXISTING : SECRET;
  const platformServices = SERVICES.filter((s) => !(production && s.name === 'mock-llm'));

  it('renders well-formed objects, one name per kind', () => {
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
    for (const object of objects) {
      expect(object.apiVersion).toBeTruthy();
      expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(object.metadata.name.length).toBeLessThanOrEqual(63);
    }
  });

  describe.each(platformServices.map((s) => [s.name, s] as const))('%s', (name, target) => {
    const deployment = get(objects, 'Deployment', name);
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];

    it('runs its image with resources, as non-root, read-only, unprivileged', () => {
      expect(container.image).toMatch(new RegExp(`/${name}:`));
      expect(container.resources.requests).toEqual(
        expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }),
      );
      expect(container.resources.limits.memory).toBeTruthy();
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    });

    if (target.http) {
      it('listens on its own port behind a Service, probed on /healthz and /readyz', () => {
        const port = defaultPort(target);
        expect(container.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
        const svc = get(objects, 'Service', name);
        expect(svc.spec.ports[0]).toMatchObject({ targetPort: 'http' });
        expect(svc.spec.selector).toEqual(deployment.spec.selector.matchLabels);
        for (const [probe, path] of [
          ['startupProbe', target.http!.liveness],
          ['livenessProbe', target.http!.liveness],
          ['readinessProbe', target.http!.readiness],
        ] as const) {
          expect([probe, container[probe]?.httpGet]).toEqual([probe, { path, port: 'http' }]);
        }
      });
    } else if (target.metrics) {
      it('serves /metrics on its own port behind a Service, its liveness probe, and no readiness', () => {
        const port = defaultMetricsPort(target);
        expect(port).toBe(9464);
        expect(container.ports).toEqual([
          { name: 'metrics', containerPort: port, protocol: 'TCP' },
        ]);
        const svc = get(objects, 'Service', name);
        expect(svc.spec.ports).toEqual([
          { name: 'metrics', port, targetPort: 'metrics', protocol: 'TCP' },
        ]);
        expect(svc.spec.selector).toEqual(deployment.spec.selector.matchLabels);
        expect(svc.metadata.labels!['assistant-platform/metrics']).toBe('true');
        // /metrics answers while the process runs: liveness, honestly; nothing routes to it, and
        // it answers before the worker polls: no readiness.
        for (const probe of ['startupProbe', 'livenessProbe'] as const) {
          expect([probe, container[probe]?.httpGet]).toEqual([
            probe,
            { path: target.metrics!.path, port: 'metrics' },
          ]);
        }
        expect(
          container.livenessProbe.timeoutSeconds * container.livenessProbe.failureThreshold,
        ).toBeGreaterThanOrEqual(30);
        expect(container.readinessProbe).toBeUndefined();
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(20);
      });
    }

    it('gets every required variable, secrets from the Secret, nothing no code reads', () => {
      const env = envOf(deployment);
      const names = env.map((variable) => variable.name);
      for (const variable of requiredVariables(target)) expect(names).toContain(variable);
      const referenced = new Set(
        env.flatMap((v) => [...(v.value ?? '').matchAll(/\$\(([A-Z0-9_]+)\)/g)].map((m) => m[1])),
      );
      const read = variablesRead(target);
      expect(names.filter((n) => !read.has(n) && !referenced.has(n))).toEqual([]);
      const bySource = Object.fromEntries(env.map((v) => [v.name, v]));
      for (const variable of env) {
        const secretRef = variable.valueFrom?.secretKeyRef;
        if (secretRef) expect(secretRef.name).toBe(secretName);
        if (variable.valueFrom?.configMapKeyRef) {
          expect([variable.name, SECRET_VARIABLES.has(variable.name)]).toEqual([
            variable.name,
            false,
          ]);
        }
        if (SECRET_VARIABLES.has(variable.name) && !secretRef) {
          // Only a composition of Secret values (INTERNAL_TOKENS = gateway=$(…),sessions=$(…)).
          const parts = [...(variable.value ?? '').matchAll(/\$\(([A-Z0-9_]+)\)/g)].map(
            (m) => m[1]!,
          );
          expect(parts.length).toBeGreaterThan(0);
          for (const part of parts)
            expect(bySource[part]?.valueFrom?.secretKeyRef?.name).toBe(secretName);
        }
      }
    });

    it('is configured so that its own loader accepts it', () => {
      const env = resolveEnv(objects, envOf(deployment), { [EXISTING]: productionSecret });
      const config = loadServiceConfig(target, env) as {
        host?: string;
        port?: number;
        metricsHost?: string;
        metricsPort?: number | null;
      };
      if (target.http) {
        expect(config.host).toBe('0.0.0.0');
        expect(config.port).toBe(container.ports[0].containerPort);
      }
      if (target.metrics) {
        expect(config.metricsHost).toBe('0.0.0.0');
        expect(config.metricsPort).toBe(container.ports[0].containerPort);
      }
    });
  });

  it('wires the services to each other through the Secret’s keys and the Services', () => {
    const env = (name: string) =>
      Object.fromEntries(envOf(get(objects, 'Deployment', name)).map((v) => [v.name, v]));
    const gateway = env('gateway');
    const assistants = env('assistants');
    const sessions = env('sessions');
    const worker = env('llm-worker');
    const key = (v: EnvVar | undefined) => v?.valueFrom?.secretKeyRef?.key;
    expect(assistants.INTERNAL_TOKENS!.value).toBe(
      `gateway=$(${key(gateway.ASSISTANTS_TOKEN)}),sessions=$(${key(sessions.ASSISTANTS_TOKEN)})`,
    );
    expect(sessions.INTERNAL_TOKENS!.value).toBe(`gateway=$(${key(gateway.SESSIONS_TOKEN)})`);
    const url = (name: string) => {
      const svc = get(objects, 'Service', name);
      return `http://${svc.metadata.name}:${svc.spec.ports[0].port}`;
    };
    expect(gateway.ASSISTANTS_URL!.value).toBe(url('assistants'));
    expect(gateway.SESSIONS_URL!.value).toBe(url('sessions'));
    expect(sessions.ASSISTANTS_URL!.value).toBe(url('assistants'));
    for (const shared of ['PAYLOAD_KEYS', 'TURN_VAULT_KEY', 'REDIS_URL']) {
      expect(key(worker[shared])).toBe(key(sessions[shared]));
    }
    expect(worker.OPENAI_API_KEY!.valueFrom!.secretKeyRef).toMatchObject({ optional: true });
    const config = get(objects, 'ConfigMap', 'config').data!;
    expect(config.OPENAI_BASE_URL).toBe(
      production ? 'https://api.openai.com/v1' : `${url('mock-llm')}/v1`,
    );
  });

  it('migrates before the pods start: a pre-install/pre-upgrade Job per database-owning service', () => {
    for (const name of ['gateway', 'assistants', 'sessions']) {
      const job = get(objects, 'Job', `migrate-${name}`);
      expect(job.metadata.annotations!['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      const [container] = job.spec.template.spec.containers;
      expect(container.command).toEqual(['node', `services/${name}/dist/src/migrate.js`]);
      expect(readFileSync(join(ROOT, `services/${name}/src/migrate.ts`), 'utf8')).toContain(
        'runMigrationJob',
      );
      expect(container.image).toBe(
        get(objects, 'Deployment', name).spec.template.spec.containers[0].image,
      );
      expect(container.env).toEqual([
        {
          name: 'DATABASE_URL',
          valueFrom: { secretKeyRef: { name: secretName, key: 'DATABASE_URL' } },
        },
      ]);
      expect(job.spec.template.spec.restartPolicy).toBe('Never');
    }
    const secret = find(objects, 'Secret', 'secrets');
    if (production) {
      expect(secret).toBeUndefined();
    } else {
      // The Secret is a hook too, created before the Jobs that read it, and kept.
      expect(secret!.metadata.annotations).toMatchObject({
        'helm.sh/hook': 'pre-install,pre-upgrade',
        'helm.sh/hook-weight': '-10',
        'helm.sh/resource-policy': 'keep',
      });
    }
    const seed = get(objects, 'Job', 'seed');
    expect(seed.metadata.annotations!['helm.sh/hook']).toBe('post-install,post-upgrade');
    expect(seed.spec.template.spec.containers[0].command).toEqual([
      'node',
      'services/assistants/dist/src/showcase/seed.js',
    ]);
    const seedEnv = resolveEnv(objects, seed.spec.template.spec.containers[0].env, {
      [EXISTING]: productionSecret,
    });
    expect(() => loadServiceConfig(service('assistants'), seedEnv)).not.toThrow();
  });

  it('holds every container of every Job to the same security and resources', () => {
    for (const { owner, container } of containers(objects)) {
      const label = `${owner.kind}/${owner.metadata.name}`;
      expect([label, container.securityContext]).toEqual([
        label,
        expect.objectContaining({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false }),
      ]);
      expect([label, Boolean(container.resources?.limits?.memory)]).toEqual([label, true]);
      expect([label, owner.spec.template.spec.securityContext.runAsNonRoot]).toEqual([label, true]);
    }
  });

  it('scales the gateway and the llm-worker by CPU, and bounds disruptions of every service', () => {
    for (const name of ['gateway', 'llm-worker']) {
      const hpa = get(objects, 'HorizontalPodAutoscaler', name);
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: get(objects, 'Deployment', name).metadata.name,
      });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      // The HPA owns the replica count; a fixed one would fight it on every upgrade.
      expect(get(objects, 'Deployment', name).spec.replicas).toBeUndefined();
    }
    for (const name of ['gateway', 'assistants', 'sessions', 'llm-worker']) {
      const pdb = get(objects, 'PodDisruptionBudget', name);
      expect(pdb.spec.selector.matchLabels).toEqual(
        get(objects, 'Deployment', name).spec.selector.matchLabels,
      );
    }
  });

  it('refuses ingress except where the platform needs it', () => {
    const deny = get(objects, 'NetworkPolicy', 'network');
    expect(deny.spec).toMatchObject({ policyTypes: ['Ingress'] });
    expect(deny.spec.ingress).toBeUndefined();
    const callers = (name: string) =>
      (get(objects, 'NetworkPolicy', name).spec.ingress as any[]).flatMap((rule) =>
        (rule.from ?? []).map(
          (peer: any) =>
            peer.podSelector?.matchLabels['app.kubernetes.io/component'] ??
            (peer.namespaceSelector ? 'namespace' : 'other'),
        ),
      );
    expect(callers('assistants').sort()).toEqual(['gateway', 'namespace', 'sessions']);
    expect(callers('sessions').sort()).toEqual(['gateway', 'namespace']);
    // The llm-worker: its metrics port, from the monitoring namespaces only.
    expect(callers('llm-worker')).toEqual(['namespace']);
    const worker = get(objects, 'NetworkPolicy', 'llm-worker').spec.ingress[0];
    expect(worker.ports).toEqual([{ port: 9464, protocol: 'TCP' }]);
    expect(worker.from[0].namespaceSelector).toEqual(
      get(objects, 'NetworkPolicy', 'sessions').spec.ingress[1].from[0].namespaceSelector,
    );
    if (!production) expect(callers('mock-llm').sort()).toEqual(['gateway', 'llm-worker']);
  });
});

describe('default and production values differ where they must', () => {
  it('production: no generated Secret, no mock, an Ingress, the ServiceMonitor and the dashboard', () => {
    const objects = renders.production;
    expect(find(objects, 'Secret', 'secrets')).toBeUndefined();
    expect(find(objects, 'Deployment', 'mock-llm')).toBeUndefined();
    const ingress = get(objects, 'Ingress', 'gateway');
    expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe(
      get(objects, 'Service', 'gateway').metadata.name,
    );
    const monitor = get(objects, 'ServiceMonitor', 'metrics');
    const scraped = objects.filter(
      (o) =>
        o.kind === 'Service' &&
        Object.entries(monitor.spec.selector.matchLabels as Record<string, string>).every(
          ([label, value]) => o.metadata.labels?.[label] === value,
        ),
    );
    expect(scraped.map(componentOf).sort()).toEqual([
      'assistants',
      'gateway',
      'llm-worker',
      'sessions',
    ]);
    // Every port of every scraped Service is one of the monitor's endpoints, on /metrics.
    const endpoints = monitor.spec.endpoints as { port: string; path: string }[];
    for (const svc of scraped) {
      for (const port of svc.spec.ports as { name: string }[]) {
        expect(endpoints).toContainEqual(
          expect.objectContaining({ port: port.name, path: '/metrics' }),
        );
      }
    }
    // The gateway's ops API reads the live metrics from the Prometheus the operator names.
    const gatewayEnv = get(objects, 'Deployment', 'gateway').spec.template.spec.containers[0]
      .env as EnvVar[];
    expect(gatewayEnv.find((variable) => variable.name === 'PROMETHEUS_URL')?.value).toMatch(
      /^http:\/\/.+:9090$/,
    );
    expect(
      get(renders.default, 'Deployment', 'gateway').spec.template.spec.containers[0].env.some(
        (v: EnvVar) => v.name === 'PROMETHEUS_URL',
      ),
    ).toBe(false);
    const dashboard = get(objects, 'ConfigMap', 'dashboard');
    const json = JSON.parse(dashboard.data!['assistant-platform.json']!);
    expect(json.uid).toBe('assistant-platform');
  });

  it('default: secrets are generated in the formats the services accept, or taken from existingSecret', () => {
    const data = get(renders.default, 'Secret', 'secrets').stringData!;
    expect(Buffer.from(data.TURN_VAULT_KEY!, 'base64')).toHaveLength(32);
    expect(Buffer.from(data.PAYLOAD_KEYS!.split(':')[1]!, 'base64')).toHaveLength(32);
    // Platform secrets carry their prefix, so the gateway never takes one for a provider key.
    expect(data.GATEWAY_INTERNAL_TOKEN).toMatch(/^labint_[A-Za-z0-9]{48}$/);
    expect(data.SESSIONS_INTERNAL_TOKEN).toMatch(/^labint_[A-Za-z0-9]{48}$/);
    expect(data.ADMIN_TOKEN).toMatch(/^labadm_[A-Za-z0-9]{48}$/);
    const own = render({ set: ['secrets.existingSecret=mine'] });
    expect(find(own, 'Secret', 'secrets')).toBeUndefined();
    const refs = containers(own).flatMap(({ container }) =>
      (container.env as EnvVar[]).flatMap((v) => v.valueFrom?.secretKeyRef?.name ?? []),
    );
    expect(new Set(refs)).toEqual(new Set(['mine']));
  });

  it('stops with a message when there is no LLM at all', () => {
    expect(() => render({ set: ['mockLlm.enabled=false'] })).toThrow(/llm.baseUrl is empty/);
  });
});

describe('what the services read, from the values', () => {
  const deploymentEnv = (objects: K8sObject[], name: string) =>
    resolveEnv(objects, envOf(get(objects, 'Deployment', name)), { [EXISTING]: productionSecret });
  const load = (objects: K8sObject[], name: string) =>
    loadServiceConfig(service(name), deploymentEnv(objects, name)) as Record<string, any>;

  it('gives Kafka and the events topic to the three services that produce or consume events', () => {
    for (const name of ['gateway', 'assistants', 'sessions']) {
      const config = load(renders.default, name);
      expect([name, config.kafkaBrokers, config.eventsTopic]).toEqual([
        name,
        'kafka:9092',
        'chat.events',
      ]);
    }
  });

  it('gives object storage to the sessions service only, its keys from the Secret', () => {
    for (const name of ['gateway', 'assistants', 'llm-worker']) {
      const names = envOf(get(renders.default, 'Deployment', name)).map((v) => v.name);
      expect([name, names.filter((n) => n.startsWith('S3_'))]).toEqual([name, []]);
    }
    const env = Object.fromEntries(
      envOf(get(renders.production, 'Deployment', 'sessions')).map((v) => [v.name, v]),
    );
    for (const key of ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']) {
      expect(env[key]!.valueFrom!.secretKeyRef).toEqual({ name: EXISTING, key });
    }
    expect(load(renders.default, 'sessions').storage).toEqual({
      endpoint: 'http://minio:9000',
      // Unset: the in-cluster endpoint (values.yaml says so).
      publicEndpoint: 'http://minio:9000',
      region: 'us-east-1',
      bucket: 'lab',
      accessKeyId: 'lab-minio',
      secretAccessKey: 'lab-minio-secret',
      forcePathStyle: true,
      prefix: '',
    });
    expect(load(renders.production, 'sessions').storage).toMatchObject({
      endpoint: 'https://s3.eu-central-1.amazonaws.com',
      publicEndpoint: 'https://s3.eu-central-1.amazonaws.com',
      accessKeyId: productionSecret.S3_ACCESS_KEY_ID,
      forcePathStyle: false,
    });
    const custom = render({
      set: ['s3.publicEndpoint=https://files.example.com', 's3.prefix=lab-test/'],
    });
    expect(load(custom, 'sessions').storage).toMatchObject({
      publicEndpoint: 'https://files.example.com',
      prefix: 'lab-test/',
    });
  });

  it('sets the archive settings, by default to the code’s own defaults', () => {
    const defaults = loadServiceConfig(service('sessions'), {
      DATABASE_URL: 'postgres://x',
      INTERNAL_TOKENS: `gateway=${'g'.repeat(16)}`,
      ASSISTANTS_URL: 'http://a',
      ASSISTANTS_TOKEN: 't',
      TEMPORAL_ADDRESS: 't:7233',
      PAYLOAD_KEYS: productionSecret.PAYLOAD_KEYS,
      REDIS_URL: 'redis://r',
      TURN_VAULT_KEY: productionSecret.TURN_VAULT_KEY,
    }) as Record<string, unknown>;
    const config = load(renders.default, 'sessions');
    expect(config.archiving).toEqual(defaults.archiving);
    expect(config.attachmentMaxBytes).toBe(defaults.attachmentMaxBytes);
    const tuned = render({
      set: [
        'sessions.archive.idleMinutes=15',
        'sessions.archive.sweepMinutes=1',
        'sessions.archive.schedule=false',
        'sessions.archive.urlTtlSeconds=60',
        'sessions.attachmentMaxBytes=5242880',
      ],
    });
    expect(load(tuned, 'sessions')).toMatchObject({
      archiving: { idleMinutes: 15, sweepMinutes: 1, schedule: false, urlTtlSeconds: 60 },
      attachmentMaxBytes: 5242880,
    });
  });

  it('sets the users’ spend caps only when given', () => {
    const names = envOf(get(renders.default, 'Deployment', 'gateway')).map((v) => v.name);
    expect(names.filter((n) => n.startsWith('SPEND_CAP_'))).toEqual([]);
    expect(load(renders.default, 'gateway').userSpendCaps).toEqual({
      daily: null,
      weekly: null,
      monthly: null,
    });
    expect(load(renders.production, 'gateway').userSpendCaps).toEqual({
      daily: 5,
      weekly: 20,
      monthly: 50,
    });
    const one = render({ set: ['gateway.spendCaps.monthlyUsd=12.5'] });
    expect(load(one, 'gateway').userSpendCaps).toEqual({
      daily: null,
      weekly: null,
      monthly: 12.5,
    });
  });

  it('turns the llm-worker’s metrics off with port 0: no port, Service, probe or policy', () => {
    const objects = render({ set: ['llmWorker.metrics.port=0'] });
    const container = get(objects, 'Deployment', 'llm-worker').spec.template.spec.containers[0];
    expect(container.ports).toBeUndefined();
    expect(container.livenessProbe ?? container.startupProbe).toBeUndefined();
    expect(find(objects, 'Service', 'llm-worker')).toBeUndefined();
    expect(find(objects, 'NetworkPolicy', 'llm-worker')).toBeUndefined();
    expect(load(objects, 'llm-worker').metricsPort).toBeNull();
  });

  it('exposes the Temporal SDK’s own metrics when asked, scraped like the rest', () => {
    const objects = render({
      set: ['llmWorker.metrics.temporalPort=9465', 'metrics.serviceMonitor.enabled=true'],
    });
    expect(load(objects, 'llm-worker').temporalMetricsAddress).toBe('0.0.0.0:9465');
    const ports = get(objects, 'Service', 'llm-worker').spec.ports.map((p: any) => p.name);
    expect(ports).toEqual(['metrics', 'temporal']);
    expect(get(objects, 'NetworkPolicy', 'llm-worker').spec.ingress[0].ports).toEqual([
      { port: 9464, protocol: 'TCP' },
      { port: 9465, protocol: 'TCP' },
    ]);
    const endpoints = get(objects, 'ServiceMonitor', 'metrics').spec.endpoints.map(
      (e: any) => e.port,
    );
    expect(endpoints).toEqual(expect.arrayContaining(ports));
    // Off by default: nothing set that the worker would then read.
    const names = envOf(get(renders.default, 'Deployment', 'llm-worker')).map((v) => v.name);
    expect(names).not.toContain('TEMPORAL_METRICS_ADDRESS');
  });
});

describe('docker-compose.yml and the chart describe the same platform', () => {
  const compose = loadCompose();
  const objects = renders.default;
  /** Compose services the chart leaves to external infrastructure, and the values naming it. */
  const external: Record<string, string> = {
    postgres: 'postgresql.url',
    redis: 'redis.url',
    temporal: 'temporal.address',
    'temporal-ui': 'temporal.address',
    kafka: 'kafka.brokers',
    minio: 's3.endpoint',
    'minio-bucket': 's3.bucket',
    prometheus: 'metrics.serviceMonitor.enabled',
    grafana: 'metrics.dashboard.enabled',
  };
  const values = helm(['show', 'values', CHART]);

  it('has a counterpart for every service compose runs', () => {
    for (const name of Object.keys(compose.services)) {
      if (name === 'assistants-seed') {
        expect(find(objects, 'Job', 'seed')).toBeDefined();
      } else if (external[name]) {
        const [section, key] = external[name].split('.');
        expect([name, values]).toEqual([
          name,
          expect.stringMatching(
            new RegExp(`^${section}:\\n(  .*\\n|\\s*\\n|\\s*#.*\\n)*  ${key}:`, 'm'),
          ),
        ]);
      } else {
        expect([name, Boolean(find(objects, 'Deployment', name))]).toEqual([name, true]);
      }
    }
  });

  it.each(SERVICES.map((s) => s.name))(
    '%s: the same port and the same required variables',
    (name) => {
      const target = service(name);
      const composeEnv = environmentOf(compose.services[name]!);
      const chartEnv = envOf(get(objects, 'Deployment', name)).map((v) => v.name);
      for (const variable of requiredVariables(target)) {
        expect([variable, variable in composeEnv, chartEnv.includes(variable)]).toEqual([
          variable,
          true,
          true,
        ]);
      }
      // Infrastructure and service settings set in one are set in the other.
      const meaningful = (names: string[]) =>
        names.filter(
          (n) =>
            ![
              'OIDC_ISSUER',
              'OIDC_AUDIENCE',
              'RATE_LIMIT_BURST',
              'RATE_LIMIT_PER_SECOND',
              'TURN_WAIT_MS',
              'MAX_CONCURRENT_ACTIVITIES',
              'LLM_TIMEOUT_MS',
              'SHUTDOWN_GRACE_MS',
              'MOCK_LLM_LATENCY_MS',
              'GATEWAY_INTERNAL_TOKEN',
              'SESSIONS_INTERNAL_TOKEN',
              // Compose: empty unless given in the shell; the chart: set only when given.
              'SPEND_CAP_USER_DAILY_USD',
              'SPEND_CAP_USER_WEEKLY_USD',
              'SPEND_CAP_USER_MONTHLY_USD',
              // Compose: its observability profile's Prometheus; the chart: metrics.prometheusUrl.
              'PROMETHEUS_URL',
              // The chart's tuning of the archives (compose keeps the code's defaults).
              'SESSION_IDLE_MINUTES',
              'ARCHIVE_SWEEP_MINUTES',
              'ARCHIVE_SCHEDULE',
              'ARCHIVE_URL_TTL_SECONDS',
              'ATTACHMENT_MAX_BYTES',
            ].includes(n),
        );
      expect(meaningful(chartEnv).sort()).toEqual(meaningful(Object.keys(composeEnv)).sort());
      const portVariable = target.http?.portVariable ?? target.metrics?.portVariable;
      if (portVariable) {
        const port = get(objects, 'Deployment', name).spec.template.spec.containers[0].ports[0]
          .containerPort;
        expect(Number(composeEnv[portVariable])).toBe(port);
      }
    },
  );
});
