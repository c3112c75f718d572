/**
 * The connection variables of the platform's infrastructure: the one contract between
 * scripts/infra, containers, an external cluster and the code that connects to them.
 */

export type Component = 'postgres' | 'redis' | 'temporal' | 'kafka' | 's3';

export const COMPONENTS: readonly Component[] = ['postgres', 'redis', 'temporal', 'kafka', 's3'];

/** The variables each component is described by; the first of each list must be set. */
export const COMPONENT_VARIABLES: Record<Component, readonly string[]> = {
  postgres: ['DATABASE_URL'],
  redis: ['REDIS_URL'],
  temporal: ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE'],
  kafka: ['KAFKA_BROKERS'],
  s3: [
    'S3_ENDPOINT',
    'S3_REGION',
    'S3_BUCKET',
    'S3_ACCESS_KEY_ID',
    'S3_SECRET_ACCESS_KEY',
    'S3_FORCE_PATH_STYLE',
  ],
};

export type InfrastructureVariables = Record<string, string>;

/** Components whose defining variable (the first of its list) the environment gives. */
export function givenComponents(env: NodeJS.ProcessEnv): Component[] {
  return COMPONENTS.filter((component) => {
    const defining = COMPONENT_VARIABLES[component][0];
    return defining !== undefined && Boolean(env[defining]);
  });
}

/** The variables of the given components, as the environment has them. */
export function pickVariables(
  env: NodeJS.ProcessEnv,
  components: readonly Component[],
): InfrastructureVariables {
  const picked: InfrastructureVariables = {};
  for (const component of components) {
    for (const name of COMPONENT_VARIABLES[component]) {
      const value = env[name];
      if (value !== undefined && value !== '') picked[name] = value;
    }
  }
  return picked;
}

/** Parses `export NAME=value` / `NAME=value` lines (the output of `scripts/infra/infra env`). */
export function parseEnvLines(text: string): InfrastructureVariables {
  const variables: InfrastructureVariables = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/^export\s+/, '');
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      variables[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  return variables;
}
