import { Injectable } from '@nestjs/common';
import { DataSource, In, SelectQueryBuilder } from 'typeorm';
import { Attempt } from '../attempts/attempt.entity';
import { ResourceLink } from '../attempts/resource-link.entity';
import { ScoState } from '../attempts/sco-state.entity';
import { Course } from '../courses/course.entity';
import { CourseVersion } from '../courses/course-version.entity';
import { Customer } from '../customers/customer.entity';
import { msFromSql } from '../database/sql-values';
import { Platform } from '../platforms/platform.entity';
import { Roster, RosterMember } from '../roster/roster.entity';
import { Learner } from '../attempts/learner.entity';
import { Dispatch } from '../dispatch/dispatch.entity';
import type { ParsedManifest } from '../scorm/manifest.types';
import type { RootColumns } from '../scorm/result-rules';

/** The customer of a counted attempt's LMS: its platform's, or its dispatch's (see `counted`). */
const CUSTOMER_OF_LINK = 'COALESCE(p.customerId, d.customerId)';

/** Which attempts a report counts: every counted attempt, or those of one customer and/or one course. */
export interface ReportScope {
  customerId?: string;
  courseId?: string;
}

/** One counted attempt, with what the report groups it by and its root result (SCORM 2004 with sequencing). */
export interface ReportAttemptRow extends RootColumns {
  id: string;
  learnerId: string;
  courseVersionId: string;
  courseId: string;
  /** The customer of the attempt's LMS; null for a platform that belongs to no customer. */
  customerId: string | null;
  /** The LMS and the learner's LTI `sub` there (what a roster member's `userId` is matched with). */
  platformId: string;
  sub: string;
  /** The latest of the attempt's own change, its last launch and its SCO states' changes (epoch ms). */
  lastActivityAt: number;
}

/** The result columns of one SCO state of a counted attempt (what `attemptResult` reads). */
export type ReportStateRow = Pick<ScoState, 'attemptId' | 'itemId' | 'completionStatus' | 'successStatus' | 'scoreScaled' | 'scoreRaw' | 'scoreMin' | 'scoreMax'>;

/**
 * One member of a roster of a context where a course is placed (by an LMS of the scope), or a roster
 * without members (`userId` null): the course's enrolled learners, for "enrolled, not started".
 */
export interface ReportEnrolmentRow {
  courseId: string;
  customerId: string | null;
  platformId: string;
  userId: string | null;
  roles: string[];
  status: string | null;
}

interface RawAttempt {
  platformId: string;
  sub: string;
  id: string;
  learnerId: string;
  courseVersionId: string;
  courseId: string;
  customerId: string | null;
  updatedAt: string | Date;
  lastLaunchedAt: string | Date | null;
  stateLast: string | Date | null;
  rootCompletion: string | null;
  rootSuccess: string | null;
  rootMeasure: number | string | null;
}

/**
 * The reads of the usage reports (src/reports/README.md). A report costs a fixed number of
 * statements whatever its size: the counted attempts (one row each, their SCO states' last change
 * folded in by GROUP BY), the result columns of their SCO states, and the manifests of the versions
 * they are on. Counted attempts are the non-preview attempts on the resource links of registered
 * platforms and of dispatches (a console preview has neither, and every instructor launch is a preview).
 */
@Injectable()
export class ReportsRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * The joins and filters every attempt statement shares: attempt → resource link → its LMS, no
   * previews. The LMS is a registered platform (`p`) or, for a dispatch package, the dispatch (`d`,
   * src/dispatch: its id stands in the link's platform column); the customer is that LMS's.
   */
  private counted<T extends object>(qb: SelectQueryBuilder<T>, scope: ReportScope, attemptAlias = 'a'): SelectQueryBuilder<T> {
    qb.innerJoin(ResourceLink, 'l', `l.id = ${attemptAlias}.resourceLinkId`)
      .leftJoin(Platform, 'p', 'p.id = l.platformId')
      .leftJoin(Dispatch, 'd', 'd.id = l.platformId')
      .where(`${attemptAlias}.preview = :preview`, { preview: false })
      .andWhere('(p.id IS NOT NULL OR d.id IS NOT NULL)');
    return this.inScope(qb, scope, CUSTOMER_OF_LINK);
  }

  /** The scope's filters on the resource link `l` and the customer column given (its platform's, or its platform's or dispatch's). */
  private inScope<T extends object>(qb: SelectQueryBuilder<T>, scope: ReportScope, customerColumn = 'p.customerId'): SelectQueryBuilder<T> {
    if (scope.customerId !== undefined) {
      qb.andWhere(`${customerColumn} = :customerId`, { customerId: scope.customerId });
    }
    if (scope.courseId !== undefined) {
      qb.andWhere('l.courseId = :courseId', { courseId: scope.courseId });
    }
    return qb;
  }

  async listAttempts(scope: ReportScope): Promise<ReportAttemptRow[]> {
    const qb = this.db
      .getRepository(Attempt)
      .createQueryBuilder('a')
      .select('a.id', 'id')
      .addSelect('a.learnerId', 'learnerId')
      .addSelect('a.courseVersionId', 'courseVersionId')
      .addSelect('l.courseId', 'courseId')
      .addSelect(CUSTOMER_OF_LINK, 'customerId')
      .addSelect('l.platformId', 'platformId')
      .addSelect('u.sub', 'sub')
      .addSelect('a.updatedAt', 'updatedAt')
      .addSelect('a.lastLaunchedAt', 'lastLaunchedAt')
      .addSelect('a.rootCompletion', 'rootCompletion')
      .addSelect('a.rootSuccess', 'rootSuccess')
      .addSelect('a.rootMeasure', 'rootMeasure')
      .addSelect('MAX(s.updatedAt)', 'stateLast');
    this.counted(qb, scope).innerJoin(Learner, 'u', 'u.id = a.learnerId').leftJoin(ScoState, 's', 's.attemptId = a.id');
    const rows = await qb
      .groupBy('a.id')
      .addGroupBy('a.learnerId')
      .addGroupBy('a.courseVersionId')
      .addGroupBy('l.courseId')
      .addGroupBy('p.customerId')
      .addGroupBy('d.customerId')
      .addGroupBy('l.platformId')
      .addGroupBy('u.sub')
      .addGroupBy('a.updatedAt')
      .addGroupBy('a.lastLaunchedAt')
      .addGroupBy('a.rootCompletion')
      .addGroupBy('a.rootSuccess')
      .addGroupBy('a.rootMeasure')
      .getRawMany<RawAttempt>();
    return rows.map((r) => ({
      id: r.id,
      learnerId: r.learnerId,
      courseVersionId: r.courseVersionId,
      courseId: r.courseId,
      customerId: r.customerId ?? null,
      platformId: r.platformId,
      sub: r.sub,
      lastActivityAt: Math.max(msFromSql(r.updatedAt), msFromSql(r.lastLaunchedAt), msFromSql(r.stateLast)),
      rootCompletion: r.rootCompletion ?? null,
      rootSuccess: r.rootSuccess ?? null,
      rootMeasure: r.rootMeasure === null || r.rootMeasure === undefined ? null : Number(r.rootMeasure),
    }));
  }

  /** The result columns of the SCO states of the counted attempts in `scope`. */
  listStates(scope: ReportScope): Promise<ReportStateRow[]> {
    const qb = this.db
      .getRepository(ScoState)
      .createQueryBuilder('s')
      .select(['s.id', 's.attemptId', 's.itemId', 's.completionStatus', 's.successStatus', 's.scoreScaled', 's.scoreRaw', 's.scoreMin', 's.scoreMax'])
      .innerJoin(Attempt, 'a', 'a.id = s.attemptId');
    return this.counted(qb, scope).getMany();
  }

  /**
   * The NRPS rosters of the contexts where the scope's courses are placed (src/roster), as last fetched
   * successfully (an unavailable roster keeps the members of its last success): each member once per
   * course, and one row without a member for a roster that has none.
   */
  async listEnrolments(scope: ReportScope): Promise<ReportEnrolmentRow[]> {
    const qb = this.db
      .getRepository(Roster)
      .createQueryBuilder('ro')
      .select('l.courseId', 'courseId')
      .addSelect('p.customerId', 'customerId')
      .addSelect('ro.platformId', 'platformId')
      .addSelect('m.userId', 'userId')
      .addSelect('m.roles', 'roles')
      .addSelect('m.status', 'status')
      .distinct(true)
      .innerJoin(ResourceLink, 'l', 'l.platformId = ro.platformId AND l.contextId = ro.contextId')
      .innerJoin(Platform, 'p', 'p.id = l.platformId')
      .leftJoin(RosterMember, 'm', 'm.rosterId = ro.id')
      .where('ro.fetchedAtMs IS NOT NULL'); // fetched once at least: a roster never fetched knows no one
    const rows = await this.inScope(qb, scope).getRawMany<{ courseId: string; customerId: string | null; platformId: string; userId: string | null; roles: string | null; status: string | null }>();
    return rows.map((r) => ({ ...r, customerId: r.customerId ?? null, roles: r.roles ? (JSON.parse(r.roles) as string[]) : [] }));
  }

  /** The parsed manifests of these course versions (the launchable items a result rolls up over). */
  async listVersionManifests(ids: string[]): Promise<Map<string, ParsedManifest>> {
    if (ids.length === 0) {
      return new Map();
    }
    const rows = await this.db.getRepository(CourseVersion).find({ where: { id: In(ids) }, select: ['id', 'manifest'] });
    return new Map(rows.map((v) => [v.id, v.manifest]));
  }

  /** Every course (id and title), by title. */
  listCourses(): Promise<Array<Pick<Course, 'id' | 'title'>>> {
    return this.db.getRepository(Course).find({ select: ['id', 'title'], order: { title: 'ASC', createdAt: 'ASC' } });
  }

  findCourse(id: string): Promise<Pick<Course, 'id' | 'title'> | null> {
    return this.db.getRepository(Course).findOne({ where: { id }, select: ['id', 'title'] });
  }

  /** Every customer (id, name, state), by name. */
  listCustomers(): Promise<Array<Pick<Customer, 'id' | 'name' | 'state'>>> {
    return this.db.getRepository(Customer).find({ select: ['id', 'name', 'state'], order: { name: 'ASC', createdAt: 'ASC' } });
  }

  findCustomer(id: string): Promise<Pick<Customer, 'id' | 'name' | 'state'> | null> {
    return this.db.getRepository(Customer).findOne({ where: { id }, select: ['id', 'name', 'state'] });
  }
}
