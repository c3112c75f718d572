/**
 * Isolation of test suites that share one set of infrastructure: every suite gets names of its
 * own (schema, topic, bucket prefix, task queue, Redis key prefix), so suites run in parallel
 * and re-run without any cleanup.
 */
import { randomBytes } from 'node:crypto';

export interface TestNamespace {
  /** Unique, lower-case, [a-z0-9_]: usable as a Postgres schema, topic, queue or prefix. */
  id: string;
  schema: string;
  topic: string;
  taskQueue: string;
  bucketPrefix: string;
  redisPrefix: string;
}

export function uniqueName(prefix: string): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const stamp = Date.now().toString(36);
  return `${clean || 't'}_${stamp}_${randomBytes(4).toString('hex')}`.slice(0, 63);
}

export function testNamespace(suite: string): TestNamespace {
  const id = uniqueName(suite);
  return {
    id,
    schema: `t_${id}`.slice(0, 63),
    topic: `test.${id}`,
    taskQueue: `test-${id}`,
    bucketPrefix: `test/${id}/`,
    redisPrefix: `test:${id}:`,
  };
}

/** Minimal query surface of a pg Pool or Client, so this module needs no driver of its own. */
export interface Queryable {
  query(sql: string): Promise<unknown>;
}

/** Creates the suite's own schema; returns a function that drops it. */
export async function createIsolatedSchema(
  db: Queryable,
  schema: string,
): Promise<() => Promise<void>> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`not a safe schema name: ${schema}`);
  await db.query(`create schema if not exists "${schema}"`);
  return async () => {
    await db.query(`drop schema if exists "${schema}" cascade`);
  };
}

/** The variable a suite needs, or a clear error naming how to provide it. */
export function requireVariable(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run the suite through jest's integration project (its global setup resolves the infrastructure) or export it (scripts/infra/infra env)`,
    );
  }
  return value;
}
