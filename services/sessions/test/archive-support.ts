/** What the archive and attachment suites share: the store as a client sees it, and waiting. */
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { SessionsConfig } from '../src/config/sessions.config';

export function storeClient(config: SessionsConfig) {
  const storage = config.storage;
  if (!storage) throw new Error('the suite needs S3_* (object storage)');
  const s3 = new S3Client({
    endpoint: storage.endpoint,
    region: storage.region,
    forcePathStyle: storage.forcePathStyle,
    credentials: { accessKeyId: storage.accessKeyId, secretAccessKey: storage.secretAccessKey },
  });
  return {
    s3,
    prefix: storage.prefix,
    async keys(under: string): Promise<string[]> {
      const listed = await s3.send(
        new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: `${storage.prefix}${under}` }),
      );
      return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
    },
    /** Removes the suite's objects. */
    async clear(): Promise<void> {
      const listed = await s3.send(
        new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: storage.prefix }),
      );
      const objects = (listed.Contents ?? []).map((o) => ({ Key: o.Key ?? '' }));
      if (objects.length > 0) {
        await s3.send(
          new DeleteObjectsCommand({ Bucket: storage.bucket, Delete: { Objects: objects } }),
        );
      }
      s3.destroy();
    },
  };
}

export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
