import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { requireVariable, testNamespace } from '@lab/platform/testing';

describe('S3 (real object store)', () => {
  const ns = testNamespace('smoke-s3');
  const bucket = requireVariable('S3_BUCKET');
  const s3 = new S3Client({
    endpoint: requireVariable('S3_ENDPOINT'),
    region: process.env.S3_REGION ?? 'us-east-1',
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE !== 'false',
    credentials: {
      accessKeyId: requireVariable('S3_ACCESS_KEY_ID'),
      secretAccessKey: requireVariable('S3_SECRET_ACCESS_KEY'),
    },
  });

  afterAll(() => s3.destroy());

  it('puts, gets and lists objects under the suite’s prefix', async () => {
    const keys = [`${ns.bucketPrefix}a.txt`, `${ns.bucketPrefix}b.txt`];
    for (const key of keys) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: `body of ${key}`,
          ContentType: 'text/plain',
        }),
      );
    }
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys[0] }));
    expect(await got.Body?.transformToString()).toBe(`body of ${keys[0]}`);
    expect(got.ContentType).toBe('text/plain');

    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: ns.bucketPrefix }),
    );
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual(keys);
  });

  it('serves an object through a presigned URL, and refuses a tampered one', async () => {
    const key = `${ns.bucketPrefix}archive.jsonl`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{"n":1}\n' }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: 60,
    });
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('{"n":1}\n');

    const tampered = await fetch(url.replace('archive.jsonl', 'other.jsonl'));
    expect(tampered.status).toBe(403);
  });
});
