/**
 * What the code says the deployment must provide, read from the sources each time the checks
 * run, so the checks follow the code: the services, their ports, and the environment variables
 * their configuration requires and reads.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '../../..');

export interface PlatformService {
  /** Name in docker-compose.yml and in the chart (`app.kubernetes.io/component`). */
  name: string;
  /** Workspace folder. */
  dir: string;
  /** Files whose `required('X')` calls are the service's required variables. */
  configFiles: string[];
  /** The variable naming its HTTP port, and where liveness and readiness are answered. */
  http: { portVariable: string; liveness: string; readiness: string } | null;
  /**
   * A Prometheus listener of its own, apart from the HTTP port (the llm-worker's): the variables
   * naming its interface and port (`0` turns it off) and its path. The HTTP services answer
   * `/metrics` on their HTTP port.
   */
  metrics?: { hostVariable: string; portVariable: string; path: string };
}

export const SERVICES: PlatformService[] = [
  {
    name: 'gateway',
    dir: 'services/gateway',
    configFiles: ['services/gateway/src/config/gateway.config.ts'],
    http: { portVariable: 'PORT', liveness: '/healthz', readiness: '/readyz' },
  },
  {
    name: 'assistants',
    dir: 'services/assistants',
    configFiles: ['services/assistants/src/config/assistants.config.ts'],
    http: { portVariable: 'PORT', liveness: '/healthz', readiness: '/readyz' },
  },
  {
    name: 'sessions',
    dir: 'services/sessions',
    configFiles: ['services/sessions/src/config/sessions.config.ts'],
    http: { portVariable: 'PORT', liveness: '/healthz', readiness: '/readyz' },
  },
  {
    name: 'llm-worker',
    dir: 'services/llm-worker',
    configFiles: ['services/llm-worker/src/config.ts'],
    http: null,
    metrics: { hostVariable: 'METRICS_HOST', portVariable: 'METRICS_PORT', path: '/metrics' },
  },
  {
    name: 'mock-llm',
    dir: 'tools/mock-llm',
    configFiles: ['tools/mock-llm/src/config.ts'],
    http: {
      portVariable: 'MOCK_LLM_PORT',
      liveness: '/_mock/health',
      readiness: '/_mock/health',
    },
  },
];

export const service = (name: string): PlatformService => {
  const found = SERVICES.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no service ${name}`);
  return found;
};

/** Variables whose values are secrets: never in a ConfigMap or a plain value in Kubernetes. */
export const SECRET_VARIABLES = new Set([
  'DATABASE_URL',
  'REDIS_URL',
  'INTERNAL_TOKENS',
  'ASSISTANTS_TOKEN',
  'SESSIONS_TOKEN',
  'PAYLOAD_KEYS',
  'TURN_VAULT_KEY',
  'IDENTITY_SALT',
  'MASTER_KEYS',
  'PROMPT_KEYS',
  'ADMIN_TOKEN',
  'OPENAI_API_KEY',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
]);

/** The infrastructure's variables (packages/platform/src/infrastructure/variables.ts). */
export const INFRASTRUCTURE_VARIABLES = new Set(
  [
    ...readFileSync(join(ROOT, 'packages/platform/src/infrastructure/variables.ts'), 'utf8')
      .split('COMPONENT_VARIABLES')[1]!
      .matchAll(/'([A-Z][A-Z0-9_]+)'/g),
  ].map((match) => match[1]!),
);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry) && !/\.(test|spec)\.ts$/.test(entry) ? [path] : [];
  });
}

const READS = [
  /\brequired\(\s*'([A-Z][A-Z0-9_]+)'/g,
  /\bpositive\(\s*'([A-Z][A-Z0-9_]+)'/g,
  /\benv\.([A-Z][A-Z0-9_]+)\b/g,
  /\benv\[\s*'([A-Z][A-Z0-9_]+)'\s*\]/g,
  /\(\s*env,\s*'([A-Z][A-Z0-9_]+)'/g,
];

function namesIn(text: string, patterns: RegExp[]): Set<string> {
  return new Set(patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1]!)));
}

/**
 * In a configuration loader, a string that is a whole variable name is one it reads, whatever
 * helper takes it (`required('X')`, `positive('X', 1)`, `cap('X')`...).
 */
const CONFIG_NAME = /'([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{4,})'/g;

const configText = (target: PlatformService): string =>
  target.configFiles.map((file) => readFileSync(join(ROOT, file), 'utf8')).join('\n');

/** The variables the service's configuration requires (`required('X')`). */
export function requiredVariables(target: PlatformService): Set<string> {
  return namesIn(configText(target), [READS[0]!]);
}

/**
 * Every variable the service's process may read: what its own sources and the platform package
 * it runs on (telemetry's OTEL_* among them) read from the environment, and every variable name
 * its configuration loader names. Nothing is assumed: a variable the code does not read yet is
 * not one a deployment may set.
 */
export function variablesRead(target: PlatformService): Set<string> {
  const files = [
    ...sourceFiles(join(ROOT, target.dir, 'src')),
    ...sourceFiles(join(ROOT, 'packages/platform/src')),
  ];
  const text = files.map((file) => readFileSync(file, 'utf8')).join('\n');
  return new Set([
    ...namesIn(text, READS),
    ...namesIn(configText(target), [CONFIG_NAME]),
    'NODE_ENV',
  ]);
}

/** The default of a port variable in the service's configuration (`env.PORT ?? 3000`). */
export function defaultOf(target: PlatformService, variable: string): number | null {
  const text = configText(target);
  const match =
    new RegExp(`env\\.${variable}\\s*\\?\\?\\s*(\\d+)`).exec(text) ??
    new RegExp(`\\b${variable}\\b\\D{0,40}?(\\d{4,5})`).exec(text);
  return match ? Number(match[1]) : null;
}

/** The port the service listens on when its port variable is unset (`env.PORT ?? 3000`). */
export function defaultPort(target: PlatformService): number | null {
  return target.http ? defaultOf(target, target.http.portVariable) : null;
}

/** The port of the service's own metrics listener when its variable is unset (9464). */
export function defaultMetricsPort(target: PlatformService): number | null {
  return target.metrics ? defaultOf(target, target.metrics.portVariable) : null;
}

/**
 * The Prometheus metrics the platform's code defines: the `name` of every prom-client metric
 * (`new Histogram({ name: 'x' })`, `makeCounterProvider({ name: X })` with `const X = 'x'`) in
 * services/<service>/src and packages/platform/src, tests left out.
 */
export function definedMetricNames(): Set<string> {
  const files = [
    ...readdirSync(join(ROOT, 'services')).flatMap((name) => {
      const src = join(ROOT, 'services', name, 'src');
      return statSync(join(ROOT, 'services', name)).isDirectory() && existsSync(src)
        ? sourceFiles(src)
        : [];
    }),
    ...sourceFiles(join(ROOT, 'packages/platform/src')),
  ];
  const texts = files.map((file) => readFileSync(file, 'utf8'));
  const constants = new Map(
    texts.flatMap((text) =>
      [...text.matchAll(/\bconst ([A-Z][A-Z0-9_]*)\s*=\s*'([a-z_:][a-z0-9_:]*)'/g)].map(
        (m) => [m[1]!, m[2]!] as const,
      ),
    ),
  );
  const names = new Set<string>();
  for (const text of texts.filter((t) =>
    /from '(prom-client|@willsoto\/nestjs-prometheus)'/.test(t),
  )) {
    for (const m of text.matchAll(/\bname:\s*(?:'([a-z_:][a-z0-9_:]*)'|([A-Z][A-Z0-9_]*)\b)/g)) {
      const name = m[1] ?? constants.get(m[2]!);
      if (name) names.add(name);
    }
  }
  return names;
}

/**
 * Runs the service's own configuration loader on an environment: the strongest check that a
 * deployment's variables are what the service accepts (formats, lengths, pairs), not only present.
 */
export function loadServiceConfig(target: PlatformService, env: Record<string, string>): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(join(ROOT, target.configFiles[0]!)) as Record<string, unknown>;
  const load = (module.loadConfig ?? module.optionsFromEnv) as (env: NodeJS.ProcessEnv) => unknown;
  return load(env);
}
