import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Course } from './course.entity';
import { CourseVersion } from './course-version.entity';

/** The columns of a new version the importer fills (the course and number are set here). */
export type NewCourseVersion = Omit<CourseVersion, 'courseId' | 'number' | 'createdAt' | 'updatedAt'>;

/** What `PATCH /api/courses/:id` may change. */
export type CourseChanges = Partial<Pick<Course, 'title' | 'gradePolicy'>>;

/** Every database access of the courses module: courses and their immutable versions. */
@Injectable()
export class CoursesRepository {
  constructor(private readonly db: DataSource) {}

  /** Courses newest first; `search` keeps those whose title contains it, ignoring case. */
  async listCourses(search?: string): Promise<Course[]> {
    const qb = this.db.getRepository(Course).createQueryBuilder('c').orderBy('c.createdAt', 'DESC').addOrderBy('c.id', 'ASC');
    if (search) {
      qb.where('LOWER(c.title) LIKE :q', { q: `%${search.toLowerCase().replace(/[%_]/g, (m) => `\\${m}`)}%` });
    }
    return qb.getMany();
  }

  findCourse(id: string): Promise<Course | null> {
    return this.db.getRepository(Course).findOne({ where: { id } });
  }

  courseExists(id: string): Promise<boolean> {
    return this.db.getRepository(Course).exist({ where: { id } });
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

  /**
   * Writes a version as the newest of `courseId`, or of a new course titled `newCourseTitle`, and
   * makes it the course's current version: one transaction. Null when `courseId` names no course.
   */
  async insertCourseVersion(courseId: string | undefined, newCourseTitle: string, fields: NewCourseVersion): Promise<CourseVersion | null> {
    for (let tries = 0; ; tries++) {
      try {
        return await this.db.transaction(async (tx) => {
          const courses = tx.getRepository(Course);
          const versions = tx.getRepository(CourseVersion);
          let course: Course | null;
          if (courseId) {
            course = await courses.findOne({ where: { id: courseId } });
            if (!course) {
              return null;
            }
          } else {
            course = courses.create({ title: newCourseTitle, currentVersionId: null });
            await courses.insert(course);
          }
          const last = await versions.findOne({ where: { courseId: course.id }, order: { number: 'DESC' }, select: { id: true, number: true } });
          const version = versions.create({ ...fields, courseId: course.id, number: (last?.number ?? 0) + 1 });
          await versions.insert(version as never); // simple-json columns defeat QueryDeepPartialEntity
          await courses.update({ id: course.id }, { currentVersionId: version.id });
          return version;
        });
      } catch (err) {
        // Two versions of one course uploaded at once race for the same number: the unique index refuses one; try again.
        if (tries < 3 && courseId && /unique|duplicate/i.test(String((err as Error).message))) {
          continue;
        }
        throw err;
      }
    }
  }
}
