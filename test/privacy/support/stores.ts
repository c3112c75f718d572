/**
 * Reads everything a suite's platform left in each store, for the canary scan: a `pg_dump` of its
 * schemas and their column statistics, its Temporal histories (raw, and every payload decoded
 * with the payload codec's keys, and every sealed value tried with every key the servers hold),
 * every record of its Kafka topic, every object under its S3 prefix (gunzipped), every Redis key
 * with its value, and a `MONITOR` capture of every command while the suite ran.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { keyRingFromString } from '@lab/platform';
import { AesGcmPayloadCodec } from '@lab/platform/temporal';
import { Client, Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import type { CanaryScan } from './canaries';
import { openSealedText, SEALED } from './key-trial';

const run = promisify(execFile);

/** `pg_dump` of the schemas (data and definitions), then ANALYZE and their `pg_stats` rows. */
export async function scanPostgres(
  scan: CanaryScan,
  databaseUrl: string,
  schemas: readonly string[],
): Promise<void> {
  const { stdout } = await run(
    'pg_dump',
    ['--no-owner', '--no-privileges', ...schemas.flatMap((s) => ['--schema', s]), databaseUrl],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  // One item a table's data, so a hit names its table.
  let table = 'definitions';
  let section: string[] = [];
  const flush = () => {
    if (section.length > 0) scan.scan('postgres (pg_dump)', table, section.join('\n'));
    section = [];
  };
  for (const line of stdout.split('\n')) {
    const copy = /^COPY ([^ ]+)/.exec(line);
    if (copy) {
      flush();
      table = copy[1] ?? table;
    }
    section.push(line);
  }
  flush();

  const db = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    for (const schema of schemas) {
      const { rows: tables } = await db.query<{ name: string }>(
        `select tablename as name from pg_tables where schemaname = $1`,
        [schema],
      );
      for (const { name } of tables) await db.query(`analyze "${schema}"."${name}"`);
      const { rows } = await db.query<{ tablename: string; attname: string; stats: string }>(
        `select tablename, attname, row_to_json(s)::text as stats from pg_stats s
          where schemaname = $1`,
        [schema],
      );
      for (const row of rows)
        scan.scan('postgres (pg_stats)', `${schema}.${row.tablename}.${row.attname}`, row.stats);
    }
  } finally {
    await db.end();
  }
}

function isPayload(value: unknown): value is Payload {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Payload).data instanceof Uint8Array &&
    typeof (value as Payload).metadata === 'object'
  );
}

function payloadsOf(value: unknown, into: Payload[] = []): Payload[] {
  if (isPayload(value)) into.push(value);
  else if (Array.isArray(value)) for (const item of value) payloadsOf(item, into);
  else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    for (const item of Object.values(value)) payloadsOf(item, into);
  }
  return into;
}

/** What the platform could read of a decoded history with its own keys (see key-trial.ts). */
function openWithServerKeys(
  text: string,
  keys: readonly Buffer[],
): { opened: string[]; tried: number } {
  return { opened: openSealedText(text, keys), tried: new Set(text.match(SEALED) ?? []).size };
}

export interface ServerKeys {
  payloadKeys: string;
  turnVaultKey: string;
  masterKeys: string;
}

export interface TemporalScan {
  workflows: number;
  payloads: number;
  sealed: number;
  opened: number;
  /** What `controlKey` opened: proof that the trial would find what a key can read. */
  control: string;
}

/**
 * Every workflow on the suite's task queues: raw history, codec-decoded, server-key-opened.
 * `controlKey` (a key the test knows opens something, e.g. a platform-key user's data key) is
 * tried the same way, apart from the scan.
 */
export async function scanTemporal(
  scan: CanaryScan,
  address: string,
  namespace: string,
  taskQueues: readonly string[],
  keys: ServerKeys,
  controlKey: Buffer,
): Promise<TemporalScan> {
  const connection = await Connection.connect({ address });
  const codec = new AesGcmPayloadCodec(keyRingFromString(keys.payloadKeys));
  const rings = [keys.payloadKeys, keys.masterKeys].map(keyRingFromString);
  const serverKeys = [
    Buffer.from(keys.turnVaultKey, 'base64'),
    ...rings.flatMap((ring) => ring.keyIds.map((id) => ring.key(id) as Buffer)),
  ];
  const totals = { workflows: 0, payloads: 0, sealed: 0, opened: 0, control: '' };
  try {
    const client = new Client({ connection, namespace });
    for (const queue of taskQueues) {
      for await (const execution of client.workflow.list({ query: `TaskQueue = '${queue}'` })) {
        const where = `${execution.workflowId} (run ${execution.runId})`;
        const history = await client.workflow
          .getHandle(execution.workflowId, execution.runId)
          .fetchHistory()
          .catch((error: { code?: number; cause?: { code?: number } }) => {
            // Listed, yet deleted (a key rotation deletes the histories of the old key).
            if ((error.cause?.code ?? error.code) === 5) return null;
            throw error;
          });
        if (!history) continue;
        totals.workflows += 1;
        scan.scan(
          'temporal history (raw)',
          where,
          JSON.stringify(history, (_k, v: unknown) =>
            v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
          ),
        );
        const payloads = payloadsOf(history);
        totals.payloads += payloads.length;
        const decoded = (await codec.decode(payloads))
          .map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8'))
          .join('\n');
        scan.scan('temporal history (decoded, PAYLOAD_KEYS)', where, decoded);
        const { opened, tried } = openWithServerKeys(decoded, serverKeys);
        totals.sealed += tried;
        totals.opened += opened.length;
        scan.scan('temporal history (sealed values, server keys)', where, opened.join('\n'));
        totals.control += openWithServerKeys(decoded, [controlKey]).opened.join('\n');
      }
    }
  } finally {
    await connection.close();
  }
  return totals;
}

/** Every record of the topic, from the beginning to its high watermark: key, value, headers. */
export async function scanKafka(scan: CanaryScan, brokers: string, topic: string): Promise<number> {
  const kafka = new Kafka({
    clientId: 'privacy-scan',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const remaining = new Map(
    offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high)]),
  );
  let records = 0;
  if (remaining.size === 0) return records;
  const consumer = kafka.consumer({ groupId: `privacy-scan-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('Kafka: topic not read within 60 s')),
        60_000,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            records += 1;
            const headers = Object.entries(message.headers ?? {})
              .map(([name, value]) => `${name}=${String(value)}`)
              .join('\n');
            scan.scan(
              'kafka',
              `${topic}[${partition}]@${message.offset}`,
              Buffer.concat([
                message.key ?? Buffer.alloc(0),
                Buffer.from('\n'),
                message.value ?? Buffer.alloc(0),
                Buffer.from(`\n${headers}`),
              ]),
            );
            if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) {
              remaining.delete(partition);
              if (remaining.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            }
            await Promise.resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

export interface ObjectStore {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Every object under the prefix, as stored and (gzip) unpacked. */
export async function scanS3(
  scan: CanaryScan,
  store: ObjectStore,
  prefix: string,
): Promise<number> {
  const s3 = new S3Client({
    endpoint: store.endpoint,
    region: store.region,
    forcePathStyle: true,
    credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey },
  });
  let objects = 0;
  try {
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: store.bucket,
          Prefix: prefix,
          ContinuationToken: token,
        }),
      );
      for (const { Key } of page.Contents ?? []) {
        if (!Key) continue;
        const object = await s3.send(new GetObjectCommand({ Bucket: store.bucket, Key }));
        const bytes = Buffer.from(await object.Body!.transformToByteArray());
        objects += 1;
        const metadata = JSON.stringify(object.Metadata ?? {});
        scan.scan('s3', Key, Buffer.concat([Buffer.from(`${Key}\n${metadata}\n`), bytes]));
        if (bytes[0] === 0x1f && bytes[1] === 0x8b)
          scan.scan('s3 (gunzipped)', Key, gunzipSync(bytes));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } finally {
    s3.destroy();
  }
  return objects;
}

/** Every key of the Redis database with its value, whatever its type. */
export async function scanRedisKeys(scan: CanaryScan, redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl);
  let keys = 0;
  try {
    let cursor = '0';
    do {
      const [next, names] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const name of names) {
        keys += 1;
        const type = await redis.type(name);
        let value: unknown;
        if (type === 'string') value = await redis.getBuffer(name);
        else if (type === 'hash') value = await redis.hgetall(name);
        else if (type === 'list') value = await redis.lrange(name, 0, -1);
        else if (type === 'set') value = await redis.smembers(name);
        else if (type === 'zset') value = await redis.zrange(name, 0, -1, 'WITHSCORES');
        else if (type === 'stream') value = await redis.xrange(name, '-', '+');
        scan.scan(
          'redis (keys)',
          name,
          Buffer.isBuffer(value)
            ? Buffer.concat([Buffer.from(`${name}\n`), value])
            : `${name}\n${JSON.stringify(value)}`,
        );
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return keys;
}

/** Every command any client sends Redis from now until `stop()` (`MONITOR`). */
export async function monitorRedis(redisUrl: string): Promise<{ stop(): string[] }> {
  const redis = new Redis(redisUrl);
  const monitor = await redis.monitor();
  const commands: string[] = [];
  monitor.on('monitor', (_time: string, args: string[]) => {
    commands.push(args.join(' '));
  });
  return {
    stop() {
      monitor.disconnect();
      redis.disconnect();
      return commands;
    },
  };
}
