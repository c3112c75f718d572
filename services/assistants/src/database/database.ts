/**
 * TypeORM on PostgreSQL in the service's own schema: the schema is created if missing, every
 * connection's search_path is set to it, and the versioned migrations run at start-up.
 */
import { Client } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { AssistantEntity } from '../assistants/entities/assistant.entity';
import { ModelConfigVersionEntity } from '../assistants/entities/model-config-version.entity';
import { PromptVersionEntity } from '../assistants/entities/prompt-version.entity';
import { OutboxEventEntity } from '../outbox/outbox-event.entity';
import { CreateAssistants1763600000000 } from '../migrations/1763600000000-create-assistants';

export const ENTITIES = [
  AssistantEntity,
  PromptVersionEntity,
  ModelConfigVersionEntity,
  OutboxEventEntity,
];
export const MIGRATIONS = [CreateAssistants1763600000000];

export async function ensureSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`create schema if not exists "${schema}"`);
  } finally {
    await client.end();
  }
}

export function dataSourceOptions(databaseUrl: string, schema: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    schema,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    extra: { options: `-c search_path="${schema}"`, max: 10 },
  };
}
