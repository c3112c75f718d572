/**
 * PostgreSQL for a service that owns one schema: the schema is created if missing, every pooled
 * connection's search_path is set to it (so SQL and migrations are written unqualified and a
 * test suite can run the real service in a schema of its own), and the versioned migrations run
 * at start-up, never `synchronize`.
 */
import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { EntitySchema, MixedList } from 'typeorm';
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
