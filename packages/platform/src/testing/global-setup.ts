/**
 * Jest global setup of the integration project: resolves the infrastructure once per run and
 * exports its variables to every test worker (they inherit this process's environment), and
 * makes sure the Prometheus binary the suites' private Prometheus runs is installed.
 */
import { resolveInfrastructure, type ResolvedInfrastructure } from '../infrastructure';
import { prometheusBinary } from './private-prometheus';

declare global {
  var __labInfrastructure: ResolvedInfrastructure | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const infrastructure = await resolveInfrastructure();
  Object.assign(process.env, infrastructure.variables);
  globalThis.__labInfrastructure = infrastructure;
  await prometheusBinary();
  const sources = Object.entries(infrastructure.sources)
    .map(([component, source]) => `${component}=${source}`)
    .join(' ');
  process.stderr.write(`\n[infra] ready in ${Date.now() - started} ms: ${sources}\n`);
}
