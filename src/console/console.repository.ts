import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Attempt } from '../attempts/attempt.entity';
import { ResourceLink } from '../attempts/resource-link.entity';
import { dateFromSql } from '../database/sql-values';

/** Attempt counts of one course (see {@link ConsoleRepository.courseActivity}). */
export interface CourseActivity {
  courseId: string;
  learners: number;
  attempts: number;
  lastActivityAt: Date | null;
}

/** The console's own reads across the attempts tables (reports; it writes nothing). */
@Injectable()
export class ConsoleRepository {
  constructor(private readonly db: DataSource) {}

  /** The newest preview attempt on a platform's resource link (the one a preview launch just resumed or made). */
  findLatestPreviewAttempt(platformId: string, resourceLinkId: string): Promise<Attempt> {
    return this.db
      .getRepository(Attempt)
      .createQueryBuilder('a')
      .innerJoin(ResourceLink, 'l', 'l.id = a.resourceLinkId')
      .where('l.platformId = :p AND l.resourceLinkId = :r AND a.preview = :t', { p: platformId, r: resourceLinkId, t: true })
      .orderBy('a.number', 'DESC')
      .getOneOrFail();
  }

  /** Per course: distinct learners, attempts and the last change, over non-preview attempts. */
  async courseActivity(): Promise<CourseActivity[]> {
    const rows = await this.db
      .getRepository(Attempt)
      .createQueryBuilder('a')
      .innerJoin(ResourceLink, 'l', 'l.id = a.resourceLinkId')
      .select('l.courseId', 'courseId')
      .addSelect('COUNT(DISTINCT a.learnerId)', 'learners')
      .addSelect('COUNT(a.id)', 'attempts')
      .addSelect('MAX(a.updatedAt)', 'last')
      .where('a.preview = :f', { f: false })
      .groupBy('l.courseId')
      .getRawMany<{ courseId: string; learners: number | string; attempts: number | string; last: string | Date | null }>();
    // Postgres answers counts as numeric strings.
    return rows.map((r) => ({ courseId: r.courseId, learners: Number(r.learners), attempts: Number(r.attempts), lastActivityAt: r.last ? dateFromSql(r.last) : null }));
  }
}
