import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { PlainSql } from '../database/plain-sql';
import { Attempt } from '../attempts/attempt.entity';
import { ResourceLink } from '../attempts/resource-link.entity';
import { OutcomeTarget } from '../attempts/outcome-target.entity';
import { GradeDelivery } from '../grades/grade-delivery.entity';
import { Course } from './course.entity';
import { CourseVersion } from './course-version.entity';

/** The columns of a new version the importer fills (course and number are decided in its transaction). */
export type NewCourseVersion = Omit<CourseVersion, 'courseId' | 'number' | 'createdAt' | 'updatedAt'>;

/** What `PATCH /api/courses/:id` may change. */
export type CourseChanges = Partial<Pick<Course, 'title' | 'gradePolicy' | 'archivedAt'>>;

/** A stored version whose zip has the same SHA-256 as an upload, with its course. */
export interface MatchingVersion {
  versionId: string;
  versionNumber: number;
  courseId: string;
  courseTitle: string;
  archived: boolean;
}

/** What deleting a course would take with it, counted under the locks of {@link CoursesRepository.lockForDelete}. */
export interface CourseFootprint {
  versionIds: string[];
  linkIds: string[];
  /** Learners' attempts (previews by the console or an instructor do not count). */
  attempts: number;
  learners: number;
}

/**
 * Every database access of the courses module: courses and their immutable versions. Methods that
 * take an EntityManager run in the caller's transaction (`Transactions.run`).
 */
@Injectable()
export class CoursesRepository {
  private readonly existsSql: string;

  constructor(
    private readonly db: DataSource,
    private readonly plain: PlainSql,
  ) {
    const c = plain.entity(Course);
    // Plain SQL: the LTI launch asks this on every launch (see PlainSql).
    this.existsSql = plain.statement('CoursesRepository.courseExists', `SELECT ${c.col('id')} FROM ${c.table} WHERE ${c.col('id')} = ?`);
  }

  /**
   * Courses newest first; `search` keeps those whose title contains it, ignoring case;
   * `archived: false` leaves out archived courses (the Deep Linking picker), `true` keeps only them.
   */
  async listCourses(search?: string, archived?: boolean): Promise<Course[]> {
    const qb = this.db.getRepository(Course).createQueryBuilder('c').orderBy('c.createdAt', 'DESC').addOrderBy('c.id', 'ASC');
    if (search) {
      qb.andWhere('LOWER(c.title) LIKE :q', { q: `%${search.toLowerCase().replace(/[%_]/g, (m) => `\\${m}`)}%` });
    }
    if (archived !== undefined) {
      qb.andWhere(archived ? 'c.archivedAt IS NOT NULL' : 'c.archivedAt IS NULL');
    }
    return qb.getMany();
  }

  /** The versions whose zip has this SHA-256, with their course, the first stored first. */
  async findVersionsBySha256(sha256: string): Promise<MatchingVersion[]> {
    const rows = await this.db
      .getRepository(CourseVersion)
      .createQueryBuilder('v')
      .innerJoin(Course, 'c', 'c.id = v.courseId')
      .select(['v.id AS "versionId"', 'v.number AS "versionNumber"', 'v.courseId AS "courseId"', 'c.title AS "courseTitle"', 'c.archivedAt AS "archivedAt"'])
      .where('v.sha256 = :sha256', { sha256 })
      .orderBy('v.createdAt', 'ASC')
      .addOrderBy('v.number', 'ASC')
      .addOrderBy('v.id', 'ASC')
      .getRawMany<{ versionId: string; versionNumber: number | string; courseId: string; courseTitle: string; archivedAt: unknown }>();
    return rows.map((r) => ({ versionId: r.versionId, versionNumber: Number(r.versionNumber), courseId: r.courseId, courseTitle: r.courseTitle, archived: r.archivedAt !== null }));
  }

  /**
   * In the delete's transaction: locks the course, its versions and its resource links, then counts
   * the learners' attempts on them. On PostgreSQL a launch that is creating a link or an attempt holds
   * a key-share lock on those rows (the foreign key check), so the locks wait for it to commit and the
   * count then sees its attempt; a launch that comes later waits for the delete and finds no course.
   * On SQLite the connection lock (src/database/transactions.ts) already runs the two one after the
   * other. Null when the course does not exist.
   */
  async lockForDelete(courseId: string, m: EntityManager): Promise<CourseFootprint | null> {
    const lock = <T extends object>(qb: SelectQueryBuilder<T>) => (this.plain.postgres ? qb.setLock('pessimistic_write') : qb);
    const course = await lock(m.getRepository(Course).createQueryBuilder('c').select('c.id').where('c.id = :courseId', { courseId })).getOne();
    if (!course) {
      return null;
    }
    const versionIds = (await lock(m.getRepository(CourseVersion).createQueryBuilder('v').select('v.id').where('v.courseId = :courseId', { courseId })).getMany()).map((v) => v.id);
    const linkIds = (await lock(m.getRepository(ResourceLink).createQueryBuilder('l').select('l.id').where('l.courseId = :courseId', { courseId })).getMany()).map((l) => l.id);
    if (versionIds.length === 0 && linkIds.length === 0) {
      return { versionIds, linkIds, attempts: 0, learners: 0 };
    }
    const qb = m.getRepository(Attempt).createQueryBuilder('a').select('COUNT(*)', 'attempts').addSelect('COUNT(DISTINCT a.learnerId)', 'learners').where('a.preview = :preview', { preview: false });
    qb.andWhere(
      new Brackets((w) => {
        if (versionIds.length) {
          w.orWhere('a.courseVersionId IN (:...versionIds)', { versionIds });
        }
        if (linkIds.length) {
          w.orWhere('a.resourceLinkId IN (:...linkIds)', { linkIds });
        }
      }),
    );
    const counts = await qb.getRawOne<{ attempts: number | string; learners: number | string }>();
    return { versionIds, linkIds, attempts: Number(counts?.attempts ?? 0), learners: Number(counts?.learners ?? 0) };
  }

  /**
   * Deletes a course and every row that hangs on it (preview attempts with their runtime data, grade
   * deliveries and resource links, versions), in the caller's transaction after {@link lockForDelete}.
   */
  async deleteCourse(courseId: string, footprint: CourseFootprint, m: EntityManager): Promise<void> {
    const { versionIds, linkIds } = footprint;
    if (linkIds.length) {
      await m.getRepository(GradeDelivery).delete({ resourceLinkId: In(linkIds) });
      await m.getRepository(OutcomeTarget).delete({ resourceLinkId: In(linkIds) });
      await m.getRepository(Attempt).delete({ resourceLinkId: In(linkIds) });
      await m.getRepository(ResourceLink).delete({ id: In(linkIds) });
    }
    if (versionIds.length) {
      await m.getRepository(Attempt).delete({ courseVersionId: In(versionIds) });
      await m.getRepository(CourseVersion).delete({ id: In(versionIds) });
    }
    await m.getRepository(Course).delete({ id: courseId });
  }

  findCourse(id: string, m: EntityManager = this.db.manager): Promise<Course | null> {
    return m.getRepository(Course).findOne({ where: { id } });
  }

  async courseExists(id: string): Promise<boolean> {
    return (await this.plain.run(this.existsSql, [id])).records.length > 0;
  }

  async updateCourse(id: string, changes: CourseChanges): Promise<void> {
    await this.db.getRepository(Course).update({ id }, changes);
  }

  findVersionsByIds(ids: string[]): Promise<CourseVersion[]> {
    return ids.length ? this.db.getRepository(CourseVersion).createQueryBuilder('v').whereInIds(ids).getMany() : Promise.resolve([]);
  }

  /** Every version of a course, the newest first. */
  listVersionsOfCourse(courseId: string): Promise<CourseVersion[]> {
    return this.db.getRepository(CourseVersion).find({ where: { courseId }, order: { number: 'DESC' } });
  }

  /** The ids of every version row (the start-up sweep compares them with the content folders). */
  async listVersionIds(): Promise<string[]> {
    return (await this.db.getRepository(CourseVersion).find({ select: { id: true } })).map((v) => v.id);
  }

  async insertCourse(title: string, m: EntityManager): Promise<Course> {
    const course = m.getRepository(Course).create({ title, currentVersionId: null });
    await m.getRepository(Course).insert(course);
    return course;
  }

  /** The highest version number of a course, 0 when it has none. */
  async lastVersionNumber(courseId: string, m: EntityManager): Promise<number> {
    const last = await m.getRepository(CourseVersion).findOne({ where: { courseId }, order: { number: 'DESC' }, select: { id: true, number: true } });
    return last?.number ?? 0;
  }

  /**
   * Inserts a version; the unique (course, number) index refuses a number taken by a version
   * inserted at the same moment (see {@link isVersionNumberRace}).
   */
  async insertVersion(fields: NewCourseVersion & Pick<CourseVersion, 'courseId' | 'number'>, m: EntityManager): Promise<CourseVersion> {
    const version = m.getRepository(CourseVersion).create(fields);
    await m.getRepository(CourseVersion).insert(version as never); // simple-json columns defeat QueryDeepPartialEntity
    return version;
  }

  async setCurrentVersion(courseId: string, versionId: string, m: EntityManager): Promise<void> {
    await m.getRepository(Course).update({ id: courseId }, { currentVersionId: versionId });
  }

  /** True for the error of {@link insertVersion} losing a race for its number: try again. */
  isVersionNumberRace(err: unknown): boolean {
    return /unique|duplicate/i.test(String((err as Error).message));
  }
}
