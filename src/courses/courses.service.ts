import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../common/errors';
import { ContentGrantService } from '../content/content-grant.service';
import { Course } from './course.entity';
import { CourseVersion } from './course-version.entity';
import type { ImportWarning, ManifestItem, ScoSummary } from '../scorm/manifest.types';

/** How long a launch URL handed to a content owner (API, console preview) stays valid. */
const OWNER_GRANT_SECONDS = 12 * 3600;

export interface VersionDto {
  id: string;
  number: number;
  scormVersion: string;
  edition: string | null;
  title: string;
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
  versions?: Array<Omit<VersionDto, 'scos' | 'warnings'> & { scoCount: number; warningCount: number }>;
  items?: ManifestItem[];
}

/** Reads courses for the API and console; the JSON shape is a contract (DESIGN §3). */
@Injectable()
export class CoursesService {
  constructor(
    private readonly db: DataSource,
    private readonly grants: ContentGrantService,
  ) {}

  async list(search?: string): Promise<CourseDto[]> {
    const qb = this.db.getRepository(Course).createQueryBuilder('c').orderBy('c.createdAt', 'DESC').addOrderBy('c.id', 'ASC');
    if (search?.trim()) {
      qb.where('LOWER(c.title) LIKE :q', { q: `%${search.trim().toLowerCase().replace(/[%_]/g, (m) => `\\${m}`)}%` });
    }
    const courses = await qb.getMany();
    const versionIds = courses.map((c) => c.currentVersionId).filter((id): id is string => !!id);
    const versions = versionIds.length ? await this.db.getRepository(CourseVersion).createQueryBuilder('v').whereInIds(versionIds).getMany() : [];
    const byId = new Map(versions.map((v) => [v.id, v]));
    return Promise.all(courses.map((c) => this.toDto(c, c.currentVersionId ? byId.get(c.currentVersionId) ?? null : null)));
  }

  async get(id: string): Promise<CourseDto> {
    const course = await this.db.getRepository(Course).findOne({ where: { id } });
    if (!course) {
      throw new NotFoundError('course', id);
    }
    const versions = await this.db.getRepository(CourseVersion).find({ where: { courseId: id }, order: { number: 'DESC' } });
    const current = versions.find((v) => v.id === course.currentVersionId) ?? null;
    const dto = await this.toDto(course, current);
    dto.items = current?.manifest.items ?? [];
    dto.versions = versions.map((v) => {
      const { scos, warnings, ...rest } = versionFields(v);
      return { ...rest, scoCount: scos.length, warningCount: warnings.length };
    });
    return dto;
  }

  async toDtoForVersion(version: CourseVersion): Promise<CourseDto> {
    const course = await this.db.getRepository(Course).findOneOrFail({ where: { id: version.courseId } });
    return this.toDto(course, version);
  }

  private async toDto(course: Course, version: CourseVersion | null): Promise<CourseDto> {
    return {
      id: course.id,
      title: course.title,
      createdAt: iso(course.createdAt),
      updatedAt: iso(course.updatedAt),
      currentVersion: version ? await this.versionDto(version) : null,
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
