/**
 * What the code says the deployment must provide, read from the sources each time the checks
 * run, so the checks follow the code: the services, their ports, and the environment variables
 * their configuration requires and reads.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
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

/**
 * Kafka's and S3's variables are wired to the gateway, the assistants and the sessions service
 * before all of their code reads them (the events, usage and archives work adds it).
 */
export const WIRED_AHEAD_OF_CODE = [...INFRASTRUCTURE_VARIABLES].filter((name) =>
  /^(KAFKA|S3)_/.test(name),
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

/** The variables the service's configuration requires (`required('X')`). */
export function requiredVariables(target: PlatformService): Set<string> {
  const text = target.configFiles.map((file) => readFileSync(join(ROOT, file), 'utf8')).join('\n');
  return namesIn(text, [READS[0]!]);
}

/**
 * Every variable the service's process may read: its own sources, the platform package it runs
 * on (telemetry's OTEL_* among them), and Kafka's and S3's variables (wired ahead of the code).
 */
export function variablesRead(target: PlatformService): Set<string> {
  const files = [
    ...sourceFiles(join(ROOT, target.dir, 'src')),
    ...sourceFiles(join(ROOT, 'packages/platform/src')),
  ];
  const text = files.map((file) => readFileSync(file, 'utf8')).join('\n');
  return new Set([...namesIn(text, READS), ...WIRED_AHEAD_OF_CODE, 'NODE_ENV']);
}

/** The port the service listens on when its port variable is unset (`env.PORT ?? 3000`). */
export function defaultPort(target: PlatformService): number | null {
  if (!target.http) return null;
  const text = target.configFiles.map((file) => readFileSync(join(ROOT, file), 'utf8')).join('\n');
  const pattern = new RegExp(`${target.http.portVariable}\\D{0,40}?(\\d{4,5})`);
  const match = pattern.exec(text);
  return match ? Number(match[1]) : null;
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
