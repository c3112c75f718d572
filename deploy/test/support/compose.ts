/** docker-compose.yml as Docker Compose reads it: YAML with merge keys, then interpolated. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './platform';

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  profiles?: string[];
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test: string[] | string; disable?: boolean };
  ports?: string[];
  command?: string[];
  volumes?: string[];
  [key: string]: unknown;
}

export interface ComposeFile {
  name: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

export const COMPOSE_PATH = join(ROOT, 'docker-compose.yml');

/**
 * Compose's interpolation (`${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`,
 * `$VAR`, `$$` for a literal `$`) of every string value, with the given environment.
 */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (
      whole,
      braced?: string,
      colon?: string,
      operator?: string,
      operand?: string,
      bare?: string,
    ) => {
      if (whole === '$$') return '$';
      const name = (braced ?? bare)!;
      const given = env[name];
      const missing = colon ? !given : given === undefined;
      if (operator === '-') return missing ? operand! : given!;
      if (operator === '?' && missing) throw new Error(`${name}: ${operand}`);
      return given ?? '';
    },
  );
}

function interpolateTree(node: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((item) => interpolateTree(item, env));
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, interpolateTree(value, env)]),
    );
  }
  return node;
}

/** The compose file as `docker compose config` would see it with this environment (none: defaults). */
export function loadCompose(env: Record<string, string | undefined> = {}): ComposeFile {
  const raw: unknown = parse(readFileSync(COMPOSE_PATH, 'utf8'), { merge: true });
  const interpolated = interpolateTree(raw, env) as ComposeFile;
  // Top-level `x-` extensions are only anchors for the services; Compose ignores them.
  return interpolated;
}

/** A service's environment as strings, the way the process receives it. */
export function environmentOf(service: ComposeService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([key, value]) => [
      key,
      value === null ? '' : String(value),
    ]),
  );
}
