/**
 * What the gateway costs a request, against the platform `scripts/up` runs: the same read
 * (`GET /sessions`, a user's past sessions) sent straight to the sessions service with the
 * internal headers (the baseline), and through the gateway as a bring-your-own-key user
 * (authentication from the lookup cache, the data key unwrapped, the rate limit, the proxy), at
 * several concurrency levels; and what a first sign-in costs (PBKDF2, the provider check, the
 * new user) beside a cached one.
 *
 *   ./scripts/up && node bench/dist/gateway/main.js [--requests 400] [--concurrency 1,10,50]
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fixed, percentile, table } from '../turns/report';

interface Options {
  gateway: string;
  sessions: string;
  requests: number;
  concurrency: number[];
  signIns: number;
}

function options(argv: string[]): Options {
  const value = (name: string, fallback: string) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? (argv[index + 1] ?? fallback) : fallback;
  };
  return {
    gateway: value('gateway', process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000'),
    sessions: value('sessions', process.env.SESSIONS_URL ?? 'http://127.0.0.1:3002'),
    requests: Number(value('requests', '400')),
    concurrency: value('concurrency', '1,10,50').split(',').map(Number),
    signIns: Number(value('sign-ins', '10')),
  };
}

function localSecrets(): Record<string, string> {
  const file = join(__dirname, '..', '..', '..', '.infra', 'secrets.env');
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** `total` requests, `concurrency` at a time; the latency of each, ms, sorted. */
async function load(total: number, concurrency: number, send: () => Promise<Response>) {
  const samples: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        const t0 = performance.now();
        const answer = await send();
        await answer.arrayBuffer();
        if (!answer.ok) errors += 1;
        samples.push(performance.now() - t0);
      }
    }),
  );
  const wallMs = performance.now() - started;
  samples.sort((a, b) => a - b);
  return { samples, errors, perSecond: samples.length / (wallMs / 1000) };
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const secrets = localSecrets();
  const key = `sk-bench-${randomBytes(16).toString('hex')}`;
  const me = await fetch(`${o.gateway}/v1/sign-in`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
  });
  if (!me.ok) throw new Error(`sign-in failed: ${me.status} ${await me.text()}`);
  const userId = ((await me.json()) as { id: string }).id;
  // The baseline: the listing needs no key material.
  const direct = () =>
    fetch(`${o.sessions}/sessions?limit=20`, {
      headers: {
        'x-internal-token': secrets.GATEWAY_INTERNAL_TOKEN ?? '',
        'x-user-id': userId,
      },
    });

  const rows: string[][] = [];
  for (const concurrency of o.concurrency) {
    // Within the rate limit: one user's bucket (burst 60) would refuse a long burst, which is
    // the limit's point, not a cost: the load is spread over enough users to stay under it.
    const pool = Math.max(concurrency, Math.ceil((o.requests + 50) / 40));
    const users = await Promise.all(
      Array.from({ length: pool }, async () => {
        const own = `sk-bench-${randomBytes(16).toString('hex')}`;
        await fetch(`${o.gateway}/v1/sign-in`, {
          method: 'POST',
          headers: { authorization: `Bearer ${own}` },
        });
        return own;
      }),
    );
    let turn = 0;
    const throughGateway = () => {
      turn += 1;
      const credential = users[turn % users.length] ?? key;
      return fetch(`${o.gateway}/v1/sessions?limit=20`, {
        headers: { authorization: `Bearer ${credential}` },
      });
    };
    await load(50, concurrency, direct); // warm-up
    await load(50, concurrency, throughGateway);
    const base = await load(o.requests, concurrency, direct);
    const via = await load(o.requests, concurrency, throughGateway);
    for (const [path, run] of [
      ['sessions (baseline)', base],
      ['gateway', via],
    ] as const) {
      rows.push([
        path,
        String(concurrency),
        fixed(percentile(run.samples, 50), 2),
        fixed(percentile(run.samples, 95), 2),
        fixed(percentile(run.samples, 99), 2),
        fixed(run.perSecond, 0),
        String(run.errors),
      ]);
    }
    rows.push([
      'gateway overhead (p50)',
      String(concurrency),
      fixed(percentile(via.samples, 50) - percentile(base.samples, 50), 2),
      '',
      '',
      '',
      '',
    ]);
  }
  console.log(`\nGET /sessions, ${o.requests} requests per level (ms)`);
  console.log(table(['path', 'concurrency', 'p50', 'p95', 'p99', 'req/s', 'errors'], rows, 1));

  const first: number[] = [];
  const cached: number[] = [];
  for (let i = 0; i < o.signIns; i += 1) {
    const own = `sk-bench-${randomBytes(16).toString('hex')}`;
    for (const into of [first, cached]) {
      const t0 = performance.now();
      const answer = await fetch(`${o.gateway}/v1/me`, {
        headers: { authorization: `Bearer ${own}` },
      });
      await answer.arrayBuffer();
      into.push(performance.now() - t0);
    }
  }
  first.sort((a, b) => a - b);
  cached.sort((a, b) => a - b);
  console.log(`\nbring-your-own-key authentication, ${o.signIns} users (ms)`);
  console.log(
    table(
      ['request', 'p50', 'max'],
      [
        [
          'first use (PBKDF2, provider check, new user)',
          fixed(percentile(first, 50), 1),
          fixed(first.at(-1) ?? NaN, 1),
        ],
        [
          'next request (lookup cache)',
          fixed(percentile(cached, 50), 1),
          fixed(cached.at(-1) ?? NaN, 1),
        ],
      ],
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
