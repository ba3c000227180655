import { Course } from '../courses/course.entity';
import { CourseVersion } from '../courses/course-version.entity';
import { AppSecret } from '../secrets/app-secret.entity';
import { Courses1764400000000 } from './migrations/1764400000000-courses';

/**
 * Every entity and migration of the server, listed once. Migrations run at start-up; the schema is
 * never synchronized from the entities (STYLE §4).
 */
export const ENTITIES = [Course, CourseVersion, AppSecret];

export const MIGRATIONS = [Courses1764400000000];
