import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ResourceLink } from '../attempts/resource-link.entity';
import { Course } from '../courses/course.entity';

/** The instructor view's reads that no other module's service answers: the link and its course's title. */
@Injectable()
export class InstructorRepository {
  constructor(private readonly db: DataSource) {}

  findLink(id: string): Promise<ResourceLink | null> {
    return this.db.manager.findOneBy(ResourceLink, { id });
  }

  async courseTitle(courseId: string): Promise<string | null> {
    return (await this.db.manager.findOne(Course, { where: { id: courseId }, select: ['id', 'title'] }))?.title ?? null;
  }
}
