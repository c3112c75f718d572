/**
 * PostgreSQL for a service that owns one schema: the schema is created if missing, every pooled
 * connection's search_path is set to it (so SQL and migrations are written unqualified and a
 * test suite can run the real service in a schema of its own), and the versioned migrations run
 * at start-up, never `synchronize`.
 */
import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

export async function ensureSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`create schema if not exists "${schema}"`);
  } finally {
    await client.end();
  }
}

export interface SchemaDataSource {
  databaseUrl: string;
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
}

export function schemaDataSourceOptions(options: SchemaDataSource): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url: options.databaseUrl,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    extra: { options: `-c search_path="${options.schema}"`, max: options.poolSize ?? 10 },
  };
}

/** The service's TypeORM module: schema ensured, then connected and migrated. */
export function schemaTypeOrmModule(options: SchemaDataSource): DynamicModule {
  return TypeOrmModule.forRootAsync({
    useFactory: async () => {
      await ensureSchema(options.databaseUrl, options.schema);
      return schemaDataSourceOptions(options);
    },
  });
}

/**
 * Runs a schema's pending migrations, then disconnects; the names of those it ran. This is the
 * Kubernetes migration Job (each service's `dist/src/migrate.js`, a pre-install/pre-upgrade
 * hook), so the pods of a new version find nothing left to do instead of racing to migrate.
 */
export async function migrateSchema(
  options: Pick<SchemaDataSource, 'databaseUrl' | 'schema' | 'migrations'>,
): Promise<string[]> {
  await ensureSchema(options.databaseUrl, options.schema);
  const dataSource = new DataSource({
    ...schemaDataSourceOptions({ ...options, entities: [], poolSize: 1 }),
    migrationsRun: false,
  });
  await dataSource.initialize();
  try {
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * A service's `migrate.js`: reads only DATABASE_URL and DATABASE_SCHEMA (the service's own
 * schema by default), migrates, prints what it ran, exits 0, or 1 with the reason.
 */
export function runMigrationJob(
  service: string,
  defaultSchema: string,
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const databaseUrl = env.DATABASE_URL;
  const schema = env.DATABASE_SCHEMA ?? defaultSchema;
  const fail = (message: string) => {
    process.stderr.write(`${service} migrations failed: ${message}\n`);
    process.exit(1);
  };
  if (!databaseUrl) return fail('DATABASE_URL is required');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    return fail('DATABASE_SCHEMA must be a lower-case SQL identifier');
  }
  migrateSchema({ databaseUrl, schema, migrations }).then(
    (ran) => {
      process.stdout.write(
        `${service} migrations in schema ${schema}: ${ran.length === 0 ? 'none pending' : `ran ${ran.join(', ')}`}\n`,
      );
    },
    (error: unknown) => fail(error instanceof Error ? error.message : String(error)),
  );
}
