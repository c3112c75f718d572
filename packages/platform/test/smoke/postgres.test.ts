import { createIsolatedSchema, requireVariable, testNamespace } from '@lab/platform/testing';
import { Pool } from 'pg';

describe('PostgreSQL (real server)', () => {
  const ns = testNamespace('smoke-postgres');
  let pool: Pool;
  let dropSchema: () => Promise<void>;

  beforeAll(async () => {
    pool = new Pool({ connectionString: requireVariable('DATABASE_URL'), max: 2 });
    dropSchema = await createIsolatedSchema(pool, ns.schema);
  });

  afterAll(async () => {
    await dropSchema();
    await pool.end();
  });

  it('round-trips rows through a table in the suite’s own schema', async () => {
    await pool.query(
      `create table "${ns.schema}".notes (id serial primary key, body text not null)`,
    );
    await pool.query(`insert into "${ns.schema}".notes (body) values ($1), ($2)`, [
      'first',
      'second',
    ]);
    const { rows } = await pool.query<{ body: string }>(
      `select body from "${ns.schema}".notes order by id`,
    );
    expect(rows.map((r) => r.body)).toEqual(['first', 'second']);
  });

  it('rolls back a failed transaction and keeps nothing of it', async () => {
    await pool.query(`create table "${ns.schema}".ledger (id int primary key)`);
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(`insert into "${ns.schema}".ledger values (1)`);
      await expect(client.query(`insert into "${ns.schema}".ledger values (1)`)).rejects.toThrow(
        /duplicate key/,
      );
      await client.query('rollback');
    } finally {
      client.release();
    }
    const { rows } = await pool.query(`select count(*)::int as n from "${ns.schema}".ledger`);
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('is a real PostgreSQL server', async () => {
    const { rows } = await pool.query<{ version: string }>('select version()');
    expect(rows[0]?.version).toMatch(/^PostgreSQL \d+/);
  });
});
