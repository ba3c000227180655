import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { AppError, NotFoundError } from '../common/errors';
import { ChangeNotices } from '../database/change-notices';
import { Clock } from '../common/clock';
import { Transactions } from '../database/transactions';
import { PackageStorage } from '../storage/package-storage';
import { ContentGrantService } from '../content/content-grant.service';
import { Course } from './course.entity';
import { CourseVersion } from './course-version.entity';
import { CourseChanges, CoursesRepository } from './courses.repository';
import type { ImportWarning, ManifestItem, ScoSummary } from '../scorm/manifest.types';
import { effectivePolicy, GradePolicy } from '../grades/score-policy';
import { UpdateCourseBody } from './course.dto';

/** How long a launch URL handed to a content owner (API, console preview) stays valid. */
const OWNER_GRANT_SECONDS = 12 * 3600;

export interface VersionDto {
  id: string;
  number: number;
  scormVersion: string;
  edition: string | null;
  title: string;
  /** The manifest's LOM description (src/scorm/README.md), null when it has none. */
  description: string | null;
  scos: Array<ScoSummary & { url: string }>;
  warnings: ImportWarning[];
  fileCount: number;
  unpackedBytes: number;
  packageBytes: number;
  originalFilename: string;
  sha256: string;
  createdAt: string;
}

export interface CourseDto {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  currentVersion: VersionDto | null;
  /** When the course was archived (hidden from the Deep Linking picker and new licences), or null. */
  archivedAt: string | null;
  /** The effective grade policy (defaults merged with this course's settings). */
  gradePolicy: GradePolicy;
  versions?: Array<Omit<VersionDto, 'scos' | 'warnings'> & { scoCount: number; warningCount: number }>;
  items?: ManifestItem[];
}

/** Reads courses for the API and console; the JSON shape is a contract (docs/rest-api.md). */
@Injectable()
export class CoursesService {
  private readonly logger = new Logger(CoursesService.name);

  constructor(
    private readonly repo: CoursesRepository,
    private readonly grants: ContentGrantService,
    private readonly transactions: Transactions,
    private readonly storage: PackageStorage,
    private readonly clock: Clock,
    private readonly changes: ChangeNotices,
  ) {}

  /** Courses newest first; `archived` false leaves archived courses out (the Deep Linking picker), true keeps only them. */
  async list(search?: string, archived?: boolean): Promise<CourseDto[]> {
    const courses = await this.repo.listCourses(search?.trim() || undefined, archived);
    const versions = await this.repo.findVersionsByIds(courses.map((c) => c.currentVersionId).filter((id): id is string => !!id));
    const byId = new Map(versions.map((v) => [v.id, v]));
    return Promise.all(courses.map((c) => this.toDto(c, c.currentVersionId ? (byId.get(c.currentVersionId) ?? null) : null)));
  }

  async get(id: string): Promise<CourseDto> {
    const course = await this.findOrThrow(id);
    const versions = await this.repo.listVersionsOfCourse(id);
    const current = versions.find((v) => v.id === course.currentVersionId) ?? null;
    const dto = await this.toDto(course, current);
    dto.items = current?.manifest.items ?? [];
    dto.versions = versions.map((v) => {
      const { scos, warnings, ...rest } = versionFields(v);
      return { ...rest, scoCount: scos.length, warningCount: warnings.length };
    });
    return dto;
  }

  /**
   * Changes a course's title and/or grade policy (`PATCH /api/courses/:id`). A new policy applies to
   * every result computed from now on; grades already sent stay as they are until the learner's
   * result changes or an admin resends them.
   */
  async update(id: string, body: UpdateCourseBody): Promise<CourseDto> {
    const { title, gradePolicy } = body;
    const course = await this.findOrThrow(id);
    const changes: CourseChanges = {};
    if (title !== undefined) {
      changes.title = title;
    }
    if (gradePolicy !== undefined) {
      const merged = gradePolicy === null ? {} : { ...(course.gradePolicy ?? {}), ...gradePolicy };
      changes.gradePolicy = Object.keys(merged).length > 0 ? merged : null;
    }
    if (Object.keys(changes).length > 0) {
      await this.repo.updateCourse(id, changes);
    }
    return this.get(id);
  }

  /**
   * Archives a course: the Deep Linking picker no longer offers it and no new licence can name it;
   * links already in an LMS keep launching (while a licence allows). Archiving twice keeps the first date.
   */
  async archive(id: string): Promise<CourseDto> {
    const course = await this.findOrThrow(id);
    if (!course.archivedAt) {
      await this.repo.updateCourse(id, { archivedAt: new Date(this.clock.now()) });
      this.logger.log(`course ${id} archived`);
    }
    return this.get(id);
  }

  /** Brings an archived course back into the picker and licences. */
  async unarchive(id: string): Promise<CourseDto> {
    const course = await this.findOrThrow(id);
    if (course.archivedAt) {
      await this.repo.updateCourse(id, { archivedAt: null });
      this.logger.log(`course ${id} unarchived`);
    }
    return this.get(id);
  }

  /**
   * Deletes a course no learner has an attempt on: its rows (versions, resource links, preview
   * attempts) in one transaction that a concurrent launch cannot slip an attempt into (see
   * `CoursesRepository.lockForDelete`), then the stored files of every version. A crash between the
   * two leaves folders without rows, which the start-up sweep removes.
   */
  async remove(id: string): Promise<void> {
    const footprint = await this.transactions.run(async (m) => {
      const found = await this.repo.lockForDelete(id, m);
      if (!found) {
        throw new NotFoundError('course', id);
      }
      if (found.attempts > 0) {
        throw new AppError(
          'course_in_use',
          `${plural(found.attempts, 'attempt')} by ${plural(found.learners, 'learner')} ${found.attempts === 1 ? 'belongs' : 'belong'} to this course, so it cannot be deleted (their results would be lost); archive it instead.`,
          HttpStatus.CONFLICT,
          { attempts: found.attempts, learners: found.learners },
        );
      }
      await this.repo.deleteCourse(id, found, m);
      return found;
    });
    // Every instance forgets the versions it keeps in memory (their files, manifests) once the files
    // are gone: told earlier, an instance could read a file again while they were being removed and
    // keep answering it from memory.
    try {
      for (const versionId of footprint.versionIds) {
        await this.storage.removeVersion(versionId);
      }
    } finally {
      this.changes.publish('course-versions', footprint.versionIds);
    }
    this.logger.log(`course ${id} deleted with ${plural(footprint.versionIds.length, 'version')} and ${plural(footprint.linkIds.length, 'resource link')}`);
  }

  async toDtoForVersion(version: CourseVersion): Promise<CourseDto> {
    return this.toDto(await this.findOrThrow(version.courseId), version);
  }

  /** Throws the API's not-found error unless the course exists (without reading it). */
  async assertExists(id: string): Promise<void> {
    if (!(await this.repo.courseExists(id))) {
      throw new NotFoundError('course', id);
    }
  }

  private async findOrThrow(id: string): Promise<Course> {
    const course = await this.repo.findCourse(id);
    if (!course) {
      throw new NotFoundError('course', id);
    }
    return course;
  }

  private async toDto(course: Course, version: CourseVersion | null): Promise<CourseDto> {
    return {
      id: course.id,
      title: course.title,
      createdAt: iso(course.createdAt),
      updatedAt: iso(course.updatedAt),
      archivedAt: course.archivedAt ? iso(course.archivedAt) : null,
      currentVersion: version ? await this.versionDto(version) : null,
      gradePolicy: effectivePolicy(course.gradePolicy),
    };
  }

  private async versionDto(v: CourseVersion): Promise<VersionDto> {
    const fields = versionFields(v);
    const scos = await Promise.all(fields.scos.map(async (s) => ({ ...s, url: await this.grants.launchUrl(v.id, s.launchUrl, OWNER_GRANT_SECONDS) })));
    return { ...fields, scos };
  }
}

function versionFields(v: CourseVersion) {
  return {
    id: v.id,
    number: v.number,
    scormVersion: v.scormVersion,
    edition: v.edition,
    title: v.manifest.title,
    description: v.manifest.description ?? null,
    scos: v.manifest.scos,
    warnings: v.warnings,
    fileCount: v.fileCount,
    unpackedBytes: v.unpackedBytes,
    packageBytes: v.packageBytes,
    originalFilename: v.originalFilename,
    sha256: v.sha256,
    createdAt: iso(v.createdAt),
  };
}

/** "1 attempt", "2 attempts". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function iso(d: Date | string): string {
  return (d instanceof Date ? d : new Date(d)).toISOString();
}
