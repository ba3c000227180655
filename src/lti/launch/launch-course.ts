import { HttpStatus } from '@nestjs/common';
import type { CoursesRepository } from '../../courses/courses.repository';
import { LtiError } from '../protocol/lti-error';

/**
 * The course of a launch (LTI 1.3 and 1.1 alike): the id from the launch URL `/courses/:id`, else the
 * custom parameter `course_id`; it must exist.
 */
export async function launchCourse(courses: CoursesRepository, fromPath: string | undefined, custom: Record<string, string>): Promise<string> {
  const courseId = fromPath ?? custom.course_id;
  if (!courseId) {
    throw new LtiError('lti_course_missing', 'This link does not name a course; re-add it through the tool’s course picker.', HttpStatus.NOT_FOUND);
  }
  const id = decodeURIComponent(courseId);
  if (!(await courses.courseExists(id))) {
    throw new LtiError('lti_course_not_found', 'The course of this link no longer exists on the tool; ask the instructor to pick another one.', HttpStatus.NOT_FOUND);
  }
  return id;
}
