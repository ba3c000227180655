import { applyDecorators, CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import multer, { StorageEngine } from 'multer';
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { Observable, from, switchMap } from 'rxjs';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/errors';

/** A package upload spooled to disk, with its SHA-256 computed on the way. */
export interface UploadedPackage {
  path: string;
  originalName: string;
  size: number;
  sha256: string;
}

/**
 * Multer storage that streams the file part to `storage/tmp/` while hashing it, so nothing holds the
 * whole package in memory (src/scorm/README.md).
 */
class HashingDiskStorage implements StorageEngine {
  constructor(private readonly dir: string) {}

  _handleFile(_req: Request, file: Express.Multer.File, cb: (error?: unknown, info?: Partial<Express.Multer.File> & { sha256?: string }) => void): void {
    const target = path.join(this.dir, `upload-${randomUUID()}.zip`);
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    fs.mkdirSync(this.dir, { recursive: true });
    pipeline(file.stream, tap, fs.createWriteStream(target, { highWaterMark: 1 << 20 })).then(
      () => cb(null, { path: target, size, sha256: hash.digest('hex') }),
      (err: unknown) => {
        fs.rm(target, { force: true }, () => cb(err));
      },
    );
  }

  _removeFile(_req: Request, file: Express.Multer.File, cb: (error: Error | null) => void): void {
    fs.rm(file.path, { force: true }, () => cb(null));
  }
}

/**
 * Accepts one multipart file field `package` and puts an UploadedPackage on `req.uploadedPackage`.
 * Multer's errors become named 4xx errors; the spooled file is removed after the response.
 */
@Injectable()
export class PackageUploadInterceptor implements NestInterceptor {
  private readonly upload: ReturnType<typeof multer>;

  constructor(private readonly config: AppConfig) {
    this.upload = multer({
      storage: new HashingDiskStorage(config.tmpDir),
      limits: { fileSize: config.maxPackageBytes, files: 1, fields: 20, parts: 30 },
    });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request & { uploadedPackage?: UploadedPackage }>();
    const res = context.switchToHttp().getResponse<Response>();
    return from(this.receive(req, res)).pipe(switchMap(() => next.handle()));
  }

  private receive(req: Request & { uploadedPackage?: UploadedPackage }, res: Response): Promise<void> {
    if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
      return Promise.reject(
        new AppError('multipart_required', 'Send the package as multipart/form-data with the zip in the field "package".', HttpStatus.UNSUPPORTED_MEDIA_TYPE),
      );
    }
    return new Promise((resolve, reject) => {
      this.upload.single('package')(req, res, (err: unknown) => {
        // The storage engine adds sha256 to multer's file record (tsc needs the assertion; the linter's program does not see why).
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        const file = req.file as (Express.Multer.File & { sha256?: string }) | undefined;
        if (file) {
          res.once('close', () => fs.rm(file.path, { force: true }, () => undefined));
        }
        if (err) {
          reject(this.toError(err));
          return;
        }
        if (!file) {
          reject(new AppError('package_missing', 'No file was sent in the multipart field "package".', HttpStatus.BAD_REQUEST));
          return;
        }
        req.uploadedPackage = { path: file.path, originalName: file.originalname || 'package.zip', size: file.size, sha256: file.sha256 ?? '' };
        resolve();
      });
    });
  }

  private toError(err: unknown): AppError {
    if (err instanceof multer.MulterError) {
      switch (err.code) {
        case 'LIMIT_FILE_SIZE':
          return new AppError(
            'package_too_large',
            `The package is larger than the limit of ${this.config.maxPackageBytes} bytes (MAX_PACKAGE_BYTES).`,
            HttpStatus.PAYLOAD_TOO_LARGE,
          );
        case 'LIMIT_UNEXPECTED_FILE':
          return new AppError('unexpected_field', `Send the zip in the multipart field "package", not "${err.field ?? ''}".`, HttpStatus.BAD_REQUEST);
        default:
          return new AppError('bad_multipart', `The multipart upload was refused: ${err.message}.`, HttpStatus.BAD_REQUEST);
      }
    }
    const message = err instanceof Error ? err.message : String(err);
    return new AppError('upload_failed', `The upload did not complete: ${message}.`, HttpStatus.BAD_REQUEST);
  }
}

/** OpenAPI description of a route that takes a package through `PackageUploadInterceptor`. */
export function ApiPackageUpload(): MethodDecorator {
  return applyDecorators(
    ApiConsumes('multipart/form-data'),
    ApiBody({
      required: true,
      schema: { type: 'object', required: ['package'], properties: { package: { type: 'string', format: 'binary', description: 'The SCORM zip.' } } },
    }),
  );
}
