/**
 * The migration Job's entry points (`dist/src/migrate.js` of each database-owning service), as
 * the Helm chart's pre-install/pre-upgrade hook runs them: against the real PostgreSQL, with
 * nothing but DATABASE_URL and DATABASE_SCHEMA. Run from dist/, like the chart (build first).
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { requireVariable, testNamespace } from '@lab/platform/testing';

const run = promisify(execFile);
const root = join(__dirname, '../../..');

function migrate(service: string, env: Record<string, string>) {
  return run(process.execPath, [join(root, 'services', service, 'dist/src/migrate.js')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 60_000,
  });
}

/** A compiled CommonJS module, by a path known only at run time (as migrate.js loads them). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (path: string) => require(path) as object;

/** The migration classes compiled into the service's dist/src/migrations/. */
function compiledMigrations(service: string): string[] {
  const folder = join(root, 'services', service, 'dist/src/migrations');
  return readdirSync(folder)
    .filter((file) => file.endsWith('.js'))
    .flatMap((file) => Object.keys(load(join(folder, file))))
    .sort();
}

describe.each(['gateway', 'assistants', 'sessions'])('%s migration job', (service) => {
  const databaseUrl = requireVariable('DATABASE_URL');
  const { schema } = testNamespace(`migrate-${service}`);
  const db = new Client({ connectionString: databaseUrl });

  beforeAll(() => db.connect());
  afterAll(async () => {
    await db.query(`drop schema if exists "${schema}" cascade`);
    await db.end();
  });

  it('runs every migration of the service into its schema, then finds none pending', async () => {
    const expected = compiledMigrations(service);
    expect(expected.length).toBeGreaterThan(0);

    const first = await migrate(service, { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema });
    expect(first.stdout).toContain(`${service} migrations in schema ${schema}: ran`);
    const { rows } = await db.query<{ name: string }>(
      `select name from "${schema}".migrations order by name`,
    );
    expect(rows.map((row) => row.name)).toEqual(expected);

    const second = await migrate(service, { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema });
    expect(second.stdout).toContain('none pending');
  });

  it('names what is missing and exits 1', async () => {
    await expect(migrate(service, {})).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('DATABASE_URL is required'),
    });
    await expect(
      migrate(service, { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: 'Bad"Schema' }),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('DATABASE_SCHEMA') });
  });
});
