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
  /** The later of the attempt's own change and its last launch (epoch ms); its SCO states' changes are in `ReportStateRow`. */
  lastActivityAt: number;
}

/** The result columns of one SCO state of a counted attempt (what `attemptResult` reads) and its last change (epoch ms). */
export type ReportStateRow = Pick<ScoState, 'attemptId' | 'itemId' | 'completionStatus' | 'successStatus' | 'scoreScaled' | 'scoreRaw' | 'scoreMin' | 'scoreMax'> & { changedAt: number };

/** A page of counted attempts, in learner order, with the SCO states of those attempts. */
export interface ReportPage {
  attempts: ReportAttemptRow[];
  states: ReportStateRow[];
}

/**
 * Members of the rosters of the contexts where a course is placed (by an LMS of the scope) with no
 * counted attempt on that course from that LMS, counted by their roles and status (whether they are
 * learners is `isPrivilegedRole`'s to say, in TypeScript): distinct users of one LMS.
 */
export interface ReportUnstartedRow {
  courseId: string;
  customerId: string | null;
  roles: string[];
  status: string;
  members: number;
}

/** A course and customer where a context the course is placed in has a roster (fetched at least once). */
export interface ReportRosteredRow {
  courseId: string;
  customerId: string | null;
}

interface RawAttempt {
  id: string;
  learnerId: string;
  resourceLinkId: string;
  number: number;
  courseVersionId: string;
  courseId: string;
  customerId: string | null;
  updatedAt: string | Date;
  lastLaunchedAt: string | Date | null;
  rootCompletion: string | null;
  rootSuccess: string | null;
  rootMeasure: number | string | null;
}

type RawState = Omit<ReportStateRow, 'changedAt'> & { updatedAt: string | Date };

/** Counted attempts read at a time by default (each page: two statements; memory: one page's rows). */
export const REPORT_PAGE_SIZE = 2_000;

/**
 * The reads of the usage reports (src/reports/README.md). The counted attempts of a scope are read in
 * pages of a bounded size (keyset: the attempts' unique learner, resource link and number, so a page
 * starts where the last one ended and a learner's attempts come one after the other), each page with
 * the result columns of its attempts' SCO states; then the manifests of versions not seen yet, and the
 * roster members of the scope's contexts. Counted attempts are the non-preview attempts on the resource
 * links of registered platforms and of dispatches (a console preview has neither, and every instructor
 * launch is a preview).
 */
@Injectable()
export class ReportsRepository {
  /** Counted attempts a page (tests set a small one to cross many pages). */
  pageSize = REPORT_PAGE_SIZE;

  constructor(private readonly db: DataSource) {}

  /**
   * The joins and filters every attempt statement shares: attempt → resource link → its LMS, no
   * previews. The LMS is a registered platform (`p`) or, for a dispatch package, the dispatch (`d`,
   * src/dispatch: its id stands in the link's platform column); the customer is that LMS's.
   */
  private counted<T extends object>(qb: SelectQueryBuilder<T>, scope: ReportScope): SelectQueryBuilder<T> {
    qb.innerJoin(ResourceLink, 'l', 'l.id = a.resourceLinkId')
      .leftJoin(Platform, 'p', 'p.id = l.platformId')
      .leftJoin(Dispatch, 'd', 'd.id = l.platformId')
      .where('a.preview = :preview', { preview: false })
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

  /**
   * The counted attempts of `scope`, a page at a time, ordered by learner (then resource link and
   * number: the attempts' unique key, so no attempt is read twice or left out between pages).
   */
  async *attemptPages(scope: ReportScope): AsyncGenerator<ReportPage> {
    let after: RawAttempt | undefined;
    for (;;) {
      const qb = this.db
        .getRepository(Attempt)
        .createQueryBuilder('a')
        .select('a.id', 'id')
        .addSelect('a.learnerId', 'learnerId')
        .addSelect('a.resourceLinkId', 'resourceLinkId')
        .addSelect('a.number', 'number')
        .addSelect('a.courseVersionId', 'courseVersionId')
        .addSelect('l.courseId', 'courseId')
        .addSelect(CUSTOMER_OF_LINK, 'customerId')
        .addSelect('a.updatedAt', 'updatedAt')
        .addSelect('a.lastLaunchedAt', 'lastLaunchedAt')
        .addSelect('a.rootCompletion', 'rootCompletion')
        .addSelect('a.rootSuccess', 'rootSuccess')
        .addSelect('a.rootMeasure', 'rootMeasure');
      this.counted(qb, scope);
      if (after) {
        qb.andWhere('(a.learnerId, a.resourceLinkId, a.number) > (:learnerId, :resourceLinkId, :number)', { learnerId: after.learnerId, resourceLinkId: after.resourceLinkId, number: after.number });
      }
      const rows = await qb.orderBy('a.learnerId').addOrderBy('a.resourceLinkId').addOrderBy('a.number').limit(this.pageSize).getRawMany<RawAttempt>();
      if (rows.length === 0) {
        return;
      }
      after = rows[rows.length - 1];
      yield { attempts: rows.map(attemptRow), states: await this.listStates(rows.map((r) => r.id)) };
      if (rows.length < this.pageSize) {
        return;
      }
    }
  }

  /** The result columns of these attempts' SCO states. */
  private async listStates(attemptIds: string[]): Promise<ReportStateRow[]> {
    const rows = await this.db
      .getRepository(ScoState)
      .createQueryBuilder('s')
      .select('s.attemptId', 'attemptId')
      .addSelect('s.itemId', 'itemId')
      .addSelect('s.completionStatus', 'completionStatus')
      .addSelect('s.successStatus', 'successStatus')
      .addSelect('s.scoreScaled', 'scoreScaled')
      .addSelect('s.scoreRaw', 'scoreRaw')
      .addSelect('s.scoreMin', 'scoreMin')
      .addSelect('s.scoreMax', 'scoreMax')
      .addSelect('s.updatedAt', 'updatedAt')
      .where('s.attemptId IN (:...attemptIds)', { attemptIds })
      .getRawMany<RawState>();
    return rows.map(({ updatedAt, ...r }) => ({ ...r, changedAt: msFromSql(updatedAt) }));
  }

  /** The rosters (src/roster) fetched at least once of the contexts where the scope's courses are placed, as their courses and customers. */
  listRostered(scope: ReportScope): Promise<ReportRosteredRow[]> {
    const qb = this.rosters().select('l.courseId', 'courseId').addSelect('p.customerId', 'customerId').distinct(true);
    return this.inScope(qb, scope).getRawMany<ReportRosteredRow>();
  }

  /**
   * The members of those rosters (as last fetched successfully: an unavailable roster keeps the members
   * of its last success) with no counted attempt on the course from the roster's LMS, counted by course,
   * customer, LMS, roles and status: a few rows whatever the rosters' size.
   */
  async listUnstarted(scope: ReportScope): Promise<ReportUnstartedRow[]> {
    const started = this.db
      .getRepository(Attempt)
      .createQueryBuilder('a2')
      .select('1')
      .innerJoin(ResourceLink, 'l2', 'l2.id = a2.resourceLinkId')
      .innerJoin(Learner, 'u2', 'u2.id = a2.learnerId')
      .where('l2.courseId = l.courseId')
      .andWhere('l2.platformId = ro.platformId')
      .andWhere('u2.platformId = ro.platformId')
      .andWhere('u2.sub = m.userId')
      .andWhere('a2.preview = :preview');
    const qb = this.rosters()
      .select('l.courseId', 'courseId')
      .addSelect('p.customerId', 'customerId')
      .addSelect('m.roles', 'roles')
      .addSelect('m.status', 'status')
      .addSelect('COUNT(DISTINCT m.userId)', 'members')
      .innerJoin(RosterMember, 'm', 'm.rosterId = ro.id')
      .andWhere(`NOT EXISTS (${started.getQuery()})`)
      .setParameter('preview', false);
    const rows = await this.inScope(qb, scope)
      .groupBy('l.courseId')
      .addGroupBy('p.customerId')
      .addGroupBy('ro.platformId')
      .addGroupBy('m.roles')
      .addGroupBy('m.status')
      .getRawMany<{ courseId: string; customerId: string | null; roles: string | null; status: string; members: number | string }>();
    return rows.map((r) => ({ ...r, customerId: r.customerId ?? null, roles: r.roles ? (JSON.parse(r.roles) as string[]) : [], members: Number(r.members) }));
  }

  /** Rosters fetched at least once (a roster never fetched knows no one), joined to the links placed in their context and those links' platforms. */
  private rosters(): SelectQueryBuilder<Roster> {
    return this.db
      .getRepository(Roster)
      .createQueryBuilder('ro')
      .innerJoin(ResourceLink, 'l', 'l.platformId = ro.platformId AND l.contextId = ro.contextId')
      .innerJoin(Platform, 'p', 'p.id = l.platformId')
      .where('ro.fetchedAtMs IS NOT NULL');
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

/** A raw attempt row as the report reads it: dates as epoch ms, the root measure as a number. */
function attemptRow(r: RawAttempt): ReportAttemptRow {
  return {
    id: r.id,
    learnerId: r.learnerId,
    courseVersionId: r.courseVersionId,
    courseId: r.courseId,
    customerId: r.customerId ?? null,
    lastActivityAt: Math.max(msFromSql(r.updatedAt), msFromSql(r.lastLaunchedAt)),
    rootCompletion: r.rootCompletion ?? null,
    rootSuccess: r.rootSuccess ?? null,
    rootMeasure: r.rootMeasure === null || r.rootMeasure === undefined ? null : Number(r.rootMeasure),
  };
}
