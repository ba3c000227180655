import { HttpStatus, Logger, OnModuleInit } from '@nestjs/common';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type _Object,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { setBounded } from '../common/bounded-map';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors';
import { AppConfig, S3Settings } from '../config/app-config';
import { contentTypeFor } from '../content/content-types';
import { sendChunks } from './file-streams';
import { ORPHAN_GRACE_MS, PackageStorage, safeRelativePath, StoredFileStat, VERSION_ID } from './package-storage';

/** How long the health check waits for the bucket (`check`): one that does not answer by then is unavailable. */
const STORAGE_CHECK_MS = 2000;
/** How long a URL handed to the file sender's helper lets it read the object (senderSource). */
const SENDER_URL_SECONDS = 300;
/**
 * How long a presigned URL is handed out again for the same object: presigning costs about half a
 * millisecond of the server's event loop (the SDK's middleware and hashing; docs/performance.md, "The file sender"). Every
 * URL handed out keeps at least 3 of its 5 minutes, more than the helper can wait before its GET (the
 * content listener's idle timeout, 2 minutes).
 */
const SENDER_URL_REUSE_MS = 120_000;
/** Most presigned URLs remembered (about 600 bytes each). */
const SENDER_URLS_MAX = 10_000;
/** Files uploaded at once during an import (each a PutObject, or a multipart upload past one part). */
const UPLOADS_AT_ONCE = 8;
/** Multipart part size; lib-storage sends a file smaller than one part as a single PutObject. */
const PART_BYTES = 8 * 1024 * 1024;
/** Parts of one file in flight at once: at most UPLOADS_AT_ONCE × PARTS_AT_ONCE × PART_BYTES buffered. */
const PARTS_AT_ONCE = 2;
/** S3 deletes at most 1,000 keys per request. */
const DELETE_BATCH = 1000;

/**
 * Course versions in an S3 bucket (`STORAGE=s3`): `<S3_PREFIX>content/<versionId>/<path>`, with only
 * the standard S3 API (AWS S3, MinIO, Ceph, R2). An import extracts to `STORAGE_DIR/tmp/` as with
 * local storage, then uploads every file; if one upload fails the others are stopped and every object
 * already written is deleted, so the version appears whole or not at all (its database rows are
 * written only after the upload). Course files are read back through the content path: `HeadObject`
 * once per file, `GetObject` with a `Range` streamed to the client for large files.
 */
export class S3PackageStorage extends PackageStorage implements OnModuleInit {
  private readonly logger = new Logger('S3PackageStorage');
  private readonly s3: S3Settings;
  private readonly client: S3Client;
  /** Object key → a presigned GET handed to the helper, and until when it is handed out again (senderSource). */
  private readonly senderUrls = new Map<string, { url: string; until: number }>();

  constructor(
    config: AppConfig,
    clock: Clock,
  ) {
    super(config, clock);
    if (!config.s3) {
      throw new Error('S3PackageStorage needs the S3_* settings');
    }
    this.s3 = config.s3;
    this.client = createClient(this.s3);
  }

  /** Stops the start when the bucket cannot be reached, naming the settings to check. */
  async onModuleInit(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.s3.bucket }));
    } catch (err) {
      throw new Error(
        `The S3 bucket "${this.s3.bucket}" cannot be reached at ${this.s3.endpoint ?? `AWS S3 (${this.s3.region})`}: ${describe(err)}. Check S3_BUCKET, S3_ENDPOINT, S3_REGION, S3_FORCE_PATH_STYLE and the credentials.`,
      );
    }
  }

  protected async checkContent(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.s3.bucket }), { abortSignal: AbortSignal.timeout(STORAGE_CHECK_MS) });
  }

  async publishVersion(extractedDir: string, versionId: string): Promise<void> {
    const files = await filesUnder(extractedDir);
    const abort = new AbortController();
    let failure: unknown;
    let next = 0;
    const uploadNext = async (): Promise<void> => {
      while (failure === undefined && next < files.length) {
        const relative = files[next++];
        try {
          await this.upload(path.join(extractedDir, relative), this.key(versionId, relative), abort);
        } catch (err) {
          failure ??= err;
          abort.abort();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(UPLOADS_AT_ONCE, files.length) }, uploadNext));
    if (failure !== undefined) {
      await this.removeVersion(versionId);
      this.logger.warn(`Upload of version ${versionId} to the bucket failed; its objects were deleted: ${describe(failure)}`);
      throw new AppError(
        'storage_unavailable',
        `The course files could not be saved to the object store (${describe(failure)}); nothing was kept. Try again once storage is back.`,
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
  }

  async removeVersion(versionId: string): Promise<void> {
    try {
      await this.deleteObjects(await this.objectsOf(versionId));
    } catch (err) {
      this.logger.warn(`Could not delete the objects of version ${versionId} (swept at a later start): ${describe(err)}`);
    }
  }

  /** As on disk (ORPHAN_GRACE_MS), by the newest object: an import writes its objects one after another. */
  async removeOrphan(versionId: string): Promise<boolean> {
    const objects = await this.objectsOf(versionId);
    const newest = Math.max(0, ...objects.map((o) => o.LastModified?.getTime() ?? 0));
    if (this.clock.now() - newest < ORPHAN_GRACE_MS) {
      return false; // perhaps another instance's import, still uploading
    }
    await this.deleteObjects(objects);
    return true;
  }

  async stat(versionId: string, relativePath: string): Promise<StoredFileStat | null> {
    const key = this.fileKey(versionId, relativePath);
    if (!key) {
      return null;
    }
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.s3.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, mtimeMs: head.LastModified?.getTime() ?? 0 };
    } catch (err) {
      if (statusOf(err) === 404) {
        return null;
      }
      throw err;
    }
  }

  async copyTo(versionId: string, relativePath: string, range: { start: number; end: number }, out: Writable): Promise<void> {
    const key = this.fileKey(versionId, relativePath);
    if (!key) {
      throw new Error('path outside the version');
    }
    // a reader gone mid-file cancels the object read too, so its connection is not held open
    const abort = new AbortController();
    const onClose = () => abort.abort();
    out.once('close', onClose);
    const client = this.client;
    const bucket = this.s3.bucket;
    // the object is asked for only once the stream has its place (file-streams.ts)
    async function* objectChunks(): AsyncGenerator<Buffer> {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key!, Range: `bytes=${range.start}-${range.end}` }), {
        abortSignal: abort.signal,
      });
      const body = object.Body as Readable;
      if (object.ContentLength !== range.end - range.start + 1) {
        body.destroy();
        throw new Error(`the object answered ${object.ContentLength} bytes for a range of ${range.end - range.start + 1}`);
      }
      yield* body; // stopped (and the object's read with it) if `out` closes first
    }
    try {
      await sendChunks(out, objectChunks());
      out.end();
    } finally {
      out.off('close', onClose);
    }
  }

  /**
   * A presigned GET of the object (`getSignedUrl`, signed with the server's credentials; the helper
   * holds none), the same one for SENDER_URL_REUSE_MS. Valid longer than the helper can wait before it
   * asks: a connection on which nothing moves is closed after the content listener's idle timeout
   * (src/server.ts).
   */
  async senderSource(versionId: string, relativePath: string): Promise<string | null> {
    const key = this.fileKey(versionId, relativePath);
    if (!key) {
      return null;
    }
    // Real time, not the app's Clock: S3 judges the URL's validity by it.
    const now = Date.now();
    const known = this.senderUrls.get(key);
    if (known && known.until > now) {
      return known.url;
    }
    const url = await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.s3.bucket, Key: key }), { expiresIn: SENDER_URL_SECONDS });
    setBounded(this.senderUrls, key, { url, until: now + SENDER_URL_REUSE_MS }, SENDER_URLS_MAX, (old) => old.until <= now);
    return url;
  }

  async readFile(versionId: string, relativePath: string): Promise<Buffer> {
    const key = this.fileKey(versionId, relativePath);
    if (!key) {
      throw new Error('path outside the version');
    }
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.s3.bucket, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  async listVersions(): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.s3.bucket, Prefix: this.contentPrefix(), Delimiter: '/', ContinuationToken: token }),
      );
      for (const p of page.CommonPrefixes ?? []) {
        const id = p.Prefix?.slice(this.contentPrefix().length, -1);
        if (id && VERSION_ID.test(id)) {
          ids.push(id);
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return ids;
  }

  private async upload(file: string, key: string, abort: AbortController): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.s3.bucket, Key: key, Body: fs.createReadStream(file, { highWaterMark: 1024 * 1024 }), ContentType: contentTypeFor(key) },
      partSize: PART_BYTES,
      queueSize: PARTS_AT_ONCE,
      leavePartsOnError: false,
      abortController: abort,
    });
    await upload.done();
  }

  private async objectsOf(versionId: string): Promise<_Object[]> {
    const objects: _Object[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.s3.bucket, Prefix: this.key(versionId, ''), ContinuationToken: token }),
      );
      objects.push(...(page.Contents ?? []));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  private async deleteObjects(objects: _Object[]): Promise<void> {
    for (let i = 0; i < objects.length; i += DELETE_BATCH) {
      const batch = objects.slice(i, i + DELETE_BATCH).map((o) => ({ Key: o.Key! }));
      const result = await this.client.send(new DeleteObjectsCommand({ Bucket: this.s3.bucket, Delete: { Objects: batch, Quiet: true } }));
      if (result.Errors?.length) {
        throw new Error(`${result.Errors.length} object(s) not deleted, first ${result.Errors[0].Key}: ${result.Errors[0].Code}`);
      }
    }
  }

  private contentPrefix(): string {
    return `${this.s3.prefix}content/`;
  }

  private key(versionId: string, relative: string): string {
    if (!VERSION_ID.test(versionId)) {
      throw new Error(`not a version id: ${versionId}`);
    }
    return `${this.contentPrefix()}${versionId}/${relative}`;
  }

  private fileKey(versionId: string, relativePath: string): string | null {
    const relative = safeRelativePath(relativePath);
    return relative && VERSION_ID.test(versionId) ? this.key(versionId, relative) : null;
  }
}

function createClient(s3: S3Settings): S3Client {
  const client = new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle,
    credentials: s3.credentials,
    // Checksums only where S3 requires them: S3-compatible servers (older MinIO, Ceph) refuse the SDK's newer defaults.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 128 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 128 }),
      connectionTimeout: 10_000,
    },
  });
  // DeleteObjects must carry Content-MD5 for S3 and most compatible servers; the SDK now sends a CRC32 instead.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      if (context.commandName === 'DeleteObjectsCommand' && request.headers && typeof request.body === 'string') {
        request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
      }
      return next(args);
    },
    { step: 'build', name: 'deleteObjectsContentMd5' },
  );
  return client;
}

/** Every regular file under a folder, as '/'-separated relative paths. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await fsp.readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const status = statusOf(err);
    return `${err.name}${status ? ` (HTTP ${status})` : ''}: ${err.message}`;
  }
  return String(err);
}
