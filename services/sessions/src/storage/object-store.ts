/**
 * The service's object storage (S3 API: MinIO locally, any S3 elsewhere), made by a factory from
 * the S3_* variables so a test points it elsewhere. Keys are the service's own (`archives/…`,
 * `attachments/…`) under the configured prefix. Any failure to reach the store is a
 * StorageUnavailable error, which activities let Temporal retry and routes answer 503.
 */
import { HttpStatus } from '@nestjs/common';
import {
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ApiException } from '@lab/platform/http';
import type { StorageConfig } from '../config/sessions.config';

export class StorageUnavailable extends Error {
  override name = 'StorageUnavailable';
}

/** The API's answer when a route needs the store and cannot have it. */
export const storageUnavailable = () =>
  new ApiException(
    HttpStatus.SERVICE_UNAVAILABLE,
    'storage_unavailable',
    'File storage is unavailable; try again later',
  );

export class ObjectStore {
  private readonly client: S3Client;
  /** Signs download links for the endpoint clients reach; never sends a request. */
  private readonly signer: S3Client;

  constructor(private readonly config: StorageConfig) {
    const common: S3ClientConfig = {
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      credentials: {
        accessKeyId: config.accessKeyId,
        secretAccessKey: config.secretAccessKey,
      },
    };
    // Few SDK retries, short timeouts: Temporal retries an activity durably, with backoff.
    this.client = new S3Client({
      ...common,
      endpoint: config.endpoint,
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000 },
    });
    this.signer = new S3Client({ ...common, endpoint: config.publicEndpoint });
  }

  /** The full key of a service key (with the configured prefix). */
  key(name: string): string {
    return `${this.config.prefix}${name}`;
  }

  async put(
    key: string,
    body: Buffer,
    contentType: string,
    metadata: Record<string, string> = {},
  ): Promise<void> {
    await this.call(() =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.config.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ContentLength: body.length,
          Metadata: metadata,
        }),
      ),
    );
  }

  /** The object's size, or null when it does not exist. */
  async head(key: string): Promise<{ size: number } | null> {
    try {
      const answer = await this.client.send(
        new HeadObjectCommand({ Bucket: this.config.bucket, Key: key }),
      );
      return { size: answer.ContentLength ?? 0 };
    } catch (error) {
      if (error instanceof NotFound) return null;
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)
        return null;
      throw new StorageUnavailable(describe(error));
    }
  }

  async get(key: string): Promise<Buffer> {
    const answer = await this.call(() =>
      this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key })),
    );
    if (!answer.Body) throw new StorageUnavailable(`object ${key} has no body`);
    return Buffer.from(await answer.Body.transformToByteArray());
  }

  /** A presigned GET link, valid for `seconds`. */
  presignGet(key: string, seconds: number, filename?: string): Promise<string> {
    return getSignedUrl(
      this.signer,
      new GetObjectCommand({
        Bucket: this.config.bucket,
        Key: key,
        ...(filename ? { ResponseContentDisposition: `attachment; filename="${filename}"` } : {}),
      }),
      { expiresIn: seconds },
    );
  }

  close(): void {
    this.client.destroy();
    this.signer.destroy();
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new StorageUnavailable(describe(error));
    }
  }
}

function describe(error: unknown): string {
  return `object storage: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}

/** Injection token: the ObjectStore, or null when no storage is configured. */
export const OBJECT_STORE = Symbol('OBJECT_STORE');
