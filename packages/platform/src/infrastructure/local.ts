/**
 * Infrastructure as local processes through `scripts/infra` (hosts without a Docker engine):
 * installs once into .infra/, starts what is down, health-checks, prints the variables.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type Component, type InfrastructureVariables, parseEnvLines } from './variables';

const run = promisify(execFile);

/** The repository root: the nearest parent folder holding scripts/infra/infra. */
export function findRepositoryRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'scripts', 'infra', 'infra'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`scripts/infra/infra not found above ${from}`);
    dir = parent;
  }
}

export async function startLocalInfrastructure(
  components: readonly Component[],
  root: string = findRepositoryRoot(),
): Promise<InfrastructureVariables> {
  const script = join(root, 'scripts', 'infra', 'infra');
  // `up` reports progress on stderr; pass it through so a first, slow install is visible.
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(script, ['up', ...components], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) {
    throw new Error(
      `scripts/infra/infra up ${components.join(' ')} failed (exit ${code}); its messages above say what broke`,
    );
  }
  const { stdout } = await run(script, ['env', ...components]);
  return parseEnvLines(stdout);
}
