/**
 * The service's object storage (S3 API: MinIO locally, any S3 elsewhere), made by a factory from
 * the S3_* variables so a test points it elsewhere. Keys are the service's own (`archives/…`,
 * `attachments/…`) under the configured prefix. Any failure to reach the store is a
 * StorageUnavailable error, which activities let Temporal retry and routes answer 503.
 * The AWS SDK (tens of MB of heap) loads with the first use, not with the service.
 */

type S3Sdk = typeof import('@aws-sdk/client-s3');
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use (see above) */
const s3 = (): S3Sdk => require('@aws-sdk/client-s3') as S3Sdk;
const presigner = () =>
  require('@aws-sdk/s3-request-presigner') as typeof import('@aws-sdk/s3-request-presigner');
/* eslint-enable @typescript-eslint/no-require-imports */
import { HttpStatus } from '@nestjs/common';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
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
  private clients?: { client: S3Client; signer: S3Client };

  constructor(private readonly config: StorageConfig) {}

  /** The S3 client, and one that signs download links for the endpoint clients reach. */
  private get sdk(): { client: S3Client; signer: S3Client } {
    if (!this.clients) {
      const { S3Client } = s3();
      const common: S3ClientConfig = {
        region: this.config.region,
        forcePathStyle: this.config.forcePathStyle,
        credentials: {
          accessKeyId: this.config.accessKeyId,
          secretAccessKey: this.config.secretAccessKey,
        },
      };
      this.clients = {
        // Few SDK retries, short timeouts: Temporal retries an activity durably, with backoff.
        client: new S3Client({
          ...common,
          endpoint: this.config.endpoint,
          maxAttempts: 2,
          requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000 },
        }),
        signer: new S3Client({ ...common, endpoint: this.config.publicEndpoint }),
      };
    }
    return this.clients;
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
      this.sdk.client.send(
        new (s3().PutObjectCommand)({
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
      const answer = await this.sdk.client.send(
        new (s3().HeadObjectCommand)({ Bucket: this.config.bucket, Key: key }),
      );
      return { size: answer.ContentLength ?? 0 };
    } catch (error) {
      const { NotFound, S3ServiceException } = s3();
      if (error instanceof NotFound) return null;
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)
        return null;
      throw new StorageUnavailable(describe(error));
    }
  }

  async get(key: string): Promise<Buffer> {
    const answer = await this.call(() =>
      this.sdk.client.send(new (s3().GetObjectCommand)({ Bucket: this.config.bucket, Key: key })),
    );
    if (!answer.Body) throw new StorageUnavailable(`object ${key} has no body`);
    return Buffer.from(await answer.Body.transformToByteArray());
  }

  /** A presigned GET link, valid for `seconds`. */
  presignGet(key: string, seconds: number, filename?: string): Promise<string> {
    return presigner().getSignedUrl(
      this.sdk.signer,
      new (s3().GetObjectCommand)({
        Bucket: this.config.bucket,
        Key: key,
        ...(filename ? { ResponseContentDisposition: `attachment; filename="${filename}"` } : {}),
      }),
      { expiresIn: seconds },
    );
  }

  close(): void {
    this.clients?.client.destroy();
    this.clients?.signer.destroy();
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
