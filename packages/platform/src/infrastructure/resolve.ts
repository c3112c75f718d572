/**
 * One way to get the platform's infrastructure in code, per component:
 *   1. the environment gives it (DATABASE_URL, TEMPORAL_ADDRESS, KAFKA_BROKERS, S3_ENDPOINT,
 *      REDIS_URL, ...): a cluster, docker compose, CI services;
 *   2. else containers through testcontainers, when a Docker engine answers;
 *   3. else local processes through scripts/infra.
 */
import { dockerAvailable, startContainers } from './containers';
import { startLocalInfrastructure } from './local';
import {
  type Component,
  COMPONENTS,
  givenComponents,
  type InfrastructureVariables,
  pickVariables,
} from './variables';

export type InfrastructureSource = 'environment' | 'containers' | 'local';

export interface ResolvedInfrastructure {
  variables: InfrastructureVariables;
  /** Where each component came from. */
  sources: Partial<Record<Component, InfrastructureSource>>;
  /** Stops what this call started (containers); local processes stay up for the next run. */
  release(): Promise<void>;
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  components?: readonly Component[];
  /** INFRA_PROVIDER=local|containers forces a provider for the components not given. */
  provider?: 'auto' | 'local' | 'containers';
  detectDocker?: () => Promise<boolean>;
  startContainers?: typeof startContainers;
  startLocal?: typeof startLocalInfrastructure;
}

export async function resolveInfrastructure(
  options: ResolveOptions = {},
): Promise<ResolvedInfrastructure> {
  const env = options.env ?? process.env;
  const wanted = options.components ?? COMPONENTS;
  const given = givenComponents(env).filter((c) => wanted.includes(c));
  const missing = wanted.filter((c) => !given.includes(c));
  const sources: ResolvedInfrastructure['sources'] = {};
  for (const c of given) sources[c] = 'environment';
  const variables = pickVariables(env, given);
  if (missing.length === 0) return { variables, sources, release: async () => {} };

  const provider = options.provider ?? parseProvider(env.INFRA_PROVIDER);
  const useContainers =
    provider === 'containers' ||
    (provider === 'auto' && (await (options.detectDocker ?? dockerAvailable)()));
  if (useContainers) {
    const started = await (options.startContainers ?? startContainers)(missing);
    for (const c of missing) sources[c] = 'containers';
    return {
      variables: { ...started.variables, ...variables },
      sources,
      release: () => started.stop(),
    };
  }
  const local = await (options.startLocal ?? startLocalInfrastructure)(missing);
  for (const c of missing) sources[c] = 'local';
  return { variables: { ...local, ...variables }, sources, release: async () => {} };
}

function parseProvider(value: string | undefined): 'auto' | 'local' | 'containers' {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'local' || value === 'containers') return value;
  throw new Error(`INFRA_PROVIDER must be auto, local or containers, not '${value}'`);
}
