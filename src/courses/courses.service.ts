import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
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
  /** The effective grade policy (defaults merged with this course's settings). */
  gradePolicy: GradePolicy;
  versions?: Array<Omit<VersionDto, 'scos' | 'warnings'> & { scoCount: number; warningCount: number }>;
  items?: ManifestItem[];
}

/** Reads courses for the API and console; the JSON shape is a contract (docs/rest-api.md). */
@Injectable()
export class CoursesService {
  constructor(
    private readonly repo: CoursesRepository,
    private readonly grants: ContentGrantService,
  ) {}

  async list(search?: string): Promise<CourseDto[]> {
    const courses = await this.repo.listCourses(search?.trim() || undefined);
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

function iso(d: Date | string): string {
  return (d instanceof Date ? d : new Date(d)).toISOString();
}
