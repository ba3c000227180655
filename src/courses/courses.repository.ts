import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PlainSql } from '../database/plain-sql';
import { Course } from './course.entity';
import { CourseVersion } from './course-version.entity';

/** The columns of a new version the importer fills (course and number are decided in its transaction). */
export type NewCourseVersion = Omit<CourseVersion, 'courseId' | 'number' | 'createdAt' | 'updatedAt'>;

/** What `PATCH /api/courses/:id` may change. */
export type CourseChanges = Partial<Pick<Course, 'title' | 'gradePolicy'>>;

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

  /** Courses newest first; `search` keeps those whose title contains it, ignoring case. */
  async listCourses(search?: string): Promise<Course[]> {
    const qb = this.db.getRepository(Course).createQueryBuilder('c').orderBy('c.createdAt', 'DESC').addOrderBy('c.id', 'ASC');
    if (search) {
      qb.where('LOWER(c.title) LIKE :q', { q: `%${search.toLowerCase().replace(/[%_]/g, (m) => `\\${m}`)}%` });
    }
    return qb.getMany();
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
