import type { OnDuplicate } from './on-duplicate';
import { HttpStatus, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppConfig } from '../config/app-config';
import { AppError, NotFoundError } from '../common/errors';
import { ORPHAN_GRACE_MS, PackageStorage } from '../storage/package-storage';
import { Clock, ClockTimer } from '../common/clock';
import { ZipReader } from '../scorm/zip-reader';
import { isJunkEntry, locateManifest, PackageFiles } from '../scorm/package-layout';
import { parseManifest } from '../scorm/manifest-parser';
import { compileSequencing } from '../sequencing/compile-sequencing';
import type { ZipLimits } from '../scorm/zip.types';
import { CourseVersion } from './course-version.entity';
import { Course } from './course.entity';
import { CoursesRepository, NewCourseVersion } from './courses.repository';
import { Transactions } from '../database/transactions';

const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

export interface PackageSource {
  /** A zip file on local disk; it is read, never moved or deleted. */
  path: string;
  originalName: string;
  /** Optional: computed while uploading; computed here otherwise. */
  sha256?: string;
}


export type ImportStage = 'checking' | 'extracting' | 'saving';

export interface ImportProgress {
  stage: ImportStage;
  bytes?: number;
  totalBytes?: number;
}

/**
 * Turns a SCORM zip into an immutable course version (src/scorm/README.md): check the zip, parse the
 * manifest, extract to a temp folder, publish it with an atomic rename, then write the rows in one
 * transaction. Any failure leaves nothing behind; what a crash left is swept once it is an hour old (`sweep`).
 */
@Injectable()
export class CourseImportService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CourseImportService.name);
  private sweepTimer: ClockTimer | null = null;
  private stopped = false;

  constructor(
    private readonly repo: CoursesRepository,
    private readonly transactions: Transactions,
    private readonly storage: PackageStorage,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Sweeps storage at start and then every ORPHAN_GRACE_MS while the server runs (`sweep`). */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role !== 'server') {
      return;
    }
    await this.sweep();
    const again = () => {
      this.sweepTimer = this.clock.timeout(ORPHAN_GRACE_MS, () => {
        void this.sweep()
          .catch((err: Error) => this.logger.error(`Storage sweep failed: ${err.message}`))
          .finally(() => !this.stopped && again());
      });
    };
    again();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.sweepTimer?.cancel();
  }

  /**
   * Cleans what an interrupted import left: temp files and content folders with no version row, once
   * nothing in them changed for ORPHAN_GRACE_MS — safe when several boxes share one storage folder or
   * bucket, or the CLI imports beside the server: an import in progress elsewhere is younger. A leftover
   * younger than that at start is swept by a later pass. Answers how many leftovers were removed.
   */
  async sweep(): Promise<number> {
    let removed = await this.storage.cleanTmp();
    const stored = await this.storage.listVersions();
    if (stored.length === 0) {
      return removed;
    }
    const known = new Set(await this.repo.listVersionIds());
    let versions = 0;
    for (const id of stored.filter((v) => !known.has(v))) {
      versions += (await this.storage.removeOrphan(id)) ? 1 : 0;
    }
    if (versions > 0) {
      this.logger.warn(`Removed ${versions} stored version(s) left by an interrupted import`);
    }
    removed += versions;
    return removed;
  }

  /**
   * Imports a package as a new course, or as a new version of `courseId`. A zip already stored (same
   * SHA-256) is refused as `course_duplicate` unless `onDuplicate` says what to make of it.
   */
  async import(source: PackageSource, courseId?: string, onProgress?: (p: ImportProgress) => void, onDuplicate: OnDuplicate = 'refuse'): Promise<CourseVersion> {
    if (courseId) {
      if (!(await this.repo.courseExists(courseId))) {
        throw new NotFoundError('course', courseId);
      }
    }
    const limits: ZipLimits = {
      maxEntries: this.config.maxEntries,
      maxUnpackedBytes: this.config.maxUnpackedBytes,
      maxCompressionRatio: this.config.maxCompressionRatio,
    };
    const packageBytes = (await fs.promises.stat(source.path)).size;
    if (packageBytes > this.config.maxPackageBytes) {
      throw new AppError('package_too_large', `The package is larger than the limit of ${this.config.maxPackageBytes} bytes (MAX_PACKAGE_BYTES).`, HttpStatus.PAYLOAD_TOO_LARGE);
    }
    onProgress?.({ stage: 'checking' });
    // An upload was hashed while it streamed in; a file given on the command line is read once here.
    const sha256 = source.sha256 || (await sha256File(source.path));
    courseId = await this.duplicateTarget(sha256, courseId, onDuplicate);
    const zip = await ZipReader.open(source.path, limits);
    const versionId = randomUUID();
    let workDir: string | undefined;
    let published = false;
    try {
      const layout = locateManifest(zip.entries);
      const xml = await zip.readEntry(layout.manifestEntry, MAX_MANIFEST_BYTES);
      const { manifest, warnings } = parseManifest(xml, new PackageFiles(zip.entries, layout.rootPrefix));
      const compiled = manifest.scormVersion === '2004' ? compileSequencing(manifest) : undefined;
      const allWarnings = [...layout.warnings, ...warnings, ...(compiled?.warnings ?? [])];

      workDir = await this.storage.createWorkDir('extract');
      const included = zip.entries.filter((e) => !e.isDirectory && e.name.startsWith(layout.rootPrefix) && !isJunkEntry(e.name));
      const totalBytes = included.reduce((sum, e) => sum + e.uncompressedSize, 0);
      onProgress?.({ stage: 'extracting', bytes: 0, totalBytes });
      const extracted = await zip.extract(path.join(workDir, 'package'), {
        stripPrefix: layout.rootPrefix,
        include: (name) => name.startsWith(layout.rootPrefix) && !isJunkEntry(name),
        onProgress: (bytes) => onProgress?.({ stage: 'extracting', bytes, totalBytes }),
      });
      await this.storage.publishVersion(path.join(workDir, 'package'), versionId);
      published = true;
      onProgress?.({ stage: 'saving' });
      const version = await this.saveRows(courseId, {
        id: versionId,
        scormVersion: manifest.scormVersion,
        edition: manifest.edition,
        manifest,
        warnings: allWarnings,
        sequencing: compiled?.sequencing ?? null,
        originalFilename: source.originalName.slice(0, 500),
        packageBytes,
        unpackedBytes: extracted.bytes,
        fileCount: extracted.files,
        sha256,
      });
      this.logger.log(`Imported course ${version.courseId} version ${version.number} (${version.id}): ${manifest.scos.length} launchable item(s), ${allWarnings.length} warning(s)`);
      return version;
    } catch (err) {
      if (published) {
        await this.storage.removeVersion(versionId);
      }
      throw err;
    } finally {
      zip.close();
      if (workDir !== undefined) {
        await this.storage.removeWorkDir(workDir);
      }
    }
  }

  /** The course the package goes to (undefined: a new course) once a duplicate has been dealt with. */
  private async duplicateTarget(sha256: string, courseId: string | undefined, onDuplicate: OnDuplicate): Promise<string | undefined> {
    const matches = await this.repo.findVersionsBySha256(sha256);
    if (matches.length === 0) {
      return courseId;
    }
    if (onDuplicate === 'separate') {
      return undefined;
    }
    if (onDuplicate === 'new-version') {
      return courseId ?? matches[0].courseId;
    }
    const match = matches.find((v) => v.courseId === courseId) ?? matches[0];
    throw new AppError(
      'course_duplicate',
      `This zip is already version ${match.versionNumber} of “${match.courseTitle}”${match.archived ? ' (archived)' : ''}. Send it again with onDuplicate=new-version to add it as a new version of that course, or onDuplicate=separate to make a separate course.`,
      HttpStatus.CONFLICT,
      { duplicate: { courseId: match.courseId, courseTitle: match.courseTitle, versionId: match.versionId, versionNumber: match.versionNumber, archived: match.archived } },
    );
  }

  /** Course (when new), version and current-version pointer in one transaction. */
  private async saveRows(courseId: string | undefined, fields: NewCourseVersion): Promise<CourseVersion> {
    for (let tries = 0; ; tries++) {
      try {
        return await this.transactions.run(async (m) => {
          let course: Course;
          if (courseId) {
            const found = await this.repo.findCourse(courseId, m);
            if (!found) {
              throw new NotFoundError('course', courseId);
            }
            course = found;
          } else {
            course = await this.repo.insertCourse(fields.manifest.title.slice(0, 500) || 'Untitled course', m);
          }
          const number = (await this.repo.lastVersionNumber(course.id, m)) + 1;
          const version = await this.repo.insertVersion({ ...fields, courseId: course.id, number }, m);
          await this.repo.setCurrentVersion(course.id, version.id, m);
          return version;
        });
      } catch (err) {
        // Two versions of one course uploaded at once race for the same number: the unique index refuses one; try again.
        if (tries < 3 && courseId && this.repo.isVersionNumberRace(err)) {
          continue;
        }
        throw err;
      }
    }
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}
