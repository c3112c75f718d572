/**
 * The deploy project's global setup: the tools the checks need (Helm, the Compose
 * Specification's schema), installed once by scripts/deploy/tools and exported to the suites as
 * HELM and COMPOSE_SCHEMA. Cold, the Helm build takes a few minutes; then milliseconds.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function globalSetup(): void {
  const script = join(__dirname, '../../../scripts/deploy/tools');
  const output = execFileSync(script, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  for (const line of output.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) process.env[match[1]] = match[2];
  }
}
