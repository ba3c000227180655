import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Attempt } from '../attempts/attempt.entity';
import { Learner } from '../attempts/learner.entity';
import { OutcomeTarget } from '../attempts/outcome-target.entity';
import { ResourceLink } from '../attempts/resource-link.entity';
import { ScoState } from '../attempts/sco-state.entity';
import { Course } from '../courses/course.entity';
import { CourseVersion } from '../courses/course-version.entity';
import { Customer } from '../customers/customer.entity';
import { Platform } from '../platforms/platform.entity';
import { Dispatch } from '../dispatch/dispatch.entity';
import type { ParsedManifest } from '../scorm/manifest.types';
import { ColumnList, PlainSql, type Prop } from '../database/plain-sql';
import { GradeDelivery } from './grade-delivery.entity';
import type { GradePolicy } from './score-policy';

/** The SCO state columns a course result is worked out from. */
const RESULT_COLUMNS = ['id', 'attemptId', 'itemId', 'completionStatus', 'successStatus', 'scoreScaled', 'scoreRaw', 'scoreMin', 'scoreMax', 'progressMeasure', 'terminated'] as const;

/** The fields of a new outbox row (id and timestamps are the entity's). */
export type NewGradeDelivery = Omit<GradeDelivery, 'id' | 'createdAt' | 'updatedAt'>;

/** The reads of the outbox in the runtime commit's transaction (plain SQL, see the class comment). */
type OutboxRead = 'attempt' | 'learner' | 'link' | 'gradePolicy' | 'gradedAttempts' | 'resultStates' | 'delivery';

/**
 * Every database access of the grades module: the outbox rows, and the attempts, links and course
 * settings a grade is worked out from. Methods that take an EntityManager run in the caller's
 * transaction (the runtime commit's, for the outbox); without one they run on their own. The reads
 * the outbox makes in a commit's transaction each time a result may have changed (about six) are plain
 * SQL prepared at start-up (see {@link PlainSql}): through TypeORM's find options, building the query
 * and the entities cost several times the database work (SCORM 2004 runtime bench profile).
 */
@Injectable()
export class GradesRepository {
  private readonly claimSql: string;
  private readonly lineItemClaimSql: string;
  private readonly sql: Record<OutboxRead, string>;
  private readonly rows: {
    attempt: ColumnList<Attempt, Prop<Attempt>>;
    learner: ColumnList<Learner, Prop<Learner>>;
    link: ColumnList<ResourceLink, Prop<ResourceLink>>;
    delivery: ColumnList<GradeDelivery, Prop<GradeDelivery>>;
    resultStates: ColumnList<ScoState, (typeof RESULT_COLUMNS)[number]>;
    gradePolicy: ColumnList<Course, 'gradePolicy'>;
  };
  /** The result states' read up to its IN list (one `?` per attempt). */
  private readonly resultStatesHead: string;
  /** `preview = false` as the driver stores it. */
  private readonly notPreview: unknown;

  constructor(
    private readonly db: DataSource,
    private readonly plain: PlainSql,
  ) {
    const d = plain.entity(GradeDelivery);
    const [id, state, next, locked] = [d.col('id'), d.col('state'), d.col('nextAttemptAt'), d.col('lockedUntil')];
    this.claimSql = plain.statement(
      'GradesRepository.claimDue',
      `UPDATE ${d.table} SET ${state} = 'sending', ${locked} = ?, ${d.col('claimToken')} = ? WHERE ${id} IN (` +
        `SELECT ${id} FROM ${d.table} WHERE (${state} IN ('pending', 'retry') AND ${next} <= ?) OR (${state} = 'sending' AND ${locked} <= ?) ` +
        `ORDER BY ${next} LIMIT ?${plain.postgres ? ' FOR UPDATE SKIP LOCKED' : ''}) RETURNING ${id}`,
    );
    const l = plain.entity(ResourceLink);
    const until = l.col('lineItemClaimUntil');
    this.lineItemClaimSql = plain.statement(
      'GradesRepository.claimLineItemCreation',
      `UPDATE ${l.table} SET ${l.col('lineItemClaimToken')} = ?, ${until} = ? WHERE ${l.col('id')} = ? AND ${l.col('lineItemUrl')} IS NULL AND (${until} IS NULL OR ${until} <= ?)`,
    );
    const a = plain.entity(Attempt);
    const learners = plain.entity(Learner);
    const c = plain.entity(Course);
    const s = plain.entity(ScoState);
    this.rows = {
      attempt: a.allColumns(),
      learner: learners.allColumns(),
      link: l.allColumns(),
      delivery: d.allColumns(),
      resultStates: s.columns(RESULT_COLUMNS),
      gradePolicy: c.columns(['gradePolicy']),
    };
    this.resultStatesHead = `SELECT ${this.rows.resultStates.select} FROM ${s.table} WHERE ${s.col('attemptId')} IN (`;
    this.notPreview = a.value('preview', false);
    const statement = (name: OutboxRead, text: string) => plain.statement(`GradesRepository.${name}`, text);
    this.sql = {
      attempt: statement('attempt', `SELECT ${this.rows.attempt.select} FROM ${a.table} WHERE ${a.col('id')} = ?`),
      learner: statement('learner', `SELECT ${this.rows.learner.select} FROM ${learners.table} WHERE ${learners.col('id')} = ?`),
      link: statement('link', `SELECT ${this.rows.link.select} FROM ${l.table} WHERE ${l.col('id')} = ?`),
      gradePolicy: statement('gradePolicy', `SELECT ${this.rows.gradePolicy.select} FROM ${c.table} WHERE ${c.col('id')} = ?`),
      gradedAttempts: statement(
        'gradedAttempts',
        `SELECT ${this.rows.attempt.select} FROM ${a.table} WHERE ${a.col('learnerId')} = ? AND ${a.col('resourceLinkId')} = ? AND ${a.col('preview')} = ? ORDER BY ${a.col('number')} ASC`,
      ),
      // One attempt's, the usual case; other numbers of attempts get the same text with their IN list (listResultStates).
      resultStates: statement('resultStates', `${this.resultStatesHead}?)`),
      delivery: statement('delivery', `SELECT ${this.rows.delivery.select} FROM ${d.table} WHERE ${d.col('resourceLinkId')} = ? AND ${d.col('learnerId')} = ?`),
    };
  }

  /** The first row a plain read answered, hydrated, or null. */
  private async one<T extends object>(sql: string, params: unknown[], list: ColumnList<T, Prop<T>>, m?: EntityManager): Promise<T | null> {
    const [row] = (await this.plain.run(sql, params, m)).records;
    return row ? list.hydrate(row) : null;
  }

  /** When the worker next has something to do: the earliest queued row's next try or `sending` row's lock expiry (null: nothing queued). */
  async nextDeliveryDueAt(): Promise<number | null> {
    const deliveries = this.db.getRepository(GradeDelivery);
    const [queued, locked] = await Promise.all([
      deliveries.findOne({ select: ['id', 'nextAttemptAt'], where: { state: In(['pending', 'retry']) }, order: { nextAttemptAt: 'ASC' } }),
      deliveries.findOne({ select: ['id', 'lockedUntil'], where: { state: 'sending' }, order: { lockedUntil: 'ASC' } }),
    ]);
    const times = [queued?.nextAttemptAt, locked?.lockedUntil].filter((t): t is number => t !== null && t !== undefined);
    return times.length ? Math.min(...times) : null;
  }

  /**
   * Claims up to `limit` rows the worker may send now — due pending/retry rows, and `sending` rows
   * whose lease expired (their instance died or was stopped) — most overdue first, in one UPDATE that
   * marks them `sending` until `lockedUntil` under `claimToken`, and answers them. On PostgreSQL the
   * rows are picked with `FOR UPDATE SKIP LOCKED`: instances polling at the same moment each take
   * different rows instead of queueing on the same ones, and a row is claimed by one of them only.
   * SQLite has one writer (and one process), so the same UPDATE is atomic there without it.
   */
  async claimDueDeliveries(now: number, limit: number, lockedUntil: number, claimToken: string): Promise<GradeDelivery[]> {
    const { records } = await this.plain.run(this.claimSql, [lockedUntil, claimToken, now, now, limit]);
    if (!records.length) {
      return [];
    }
    const rows = await this.db.getRepository(GradeDelivery).find({ where: { id: In(records.map((r) => r.id as string)), claimToken }, order: { nextAttemptAt: 'ASC' } });
    return rows;
  }

  /**
   * Changes a claimed row if the claim is still the row's claim (and, when given, the payload is still
   * `version`); false when it is not.
   */
  async updateClaimedDelivery(claim: { id: string; claimToken: string; version?: number }, patch: Partial<GradeDelivery>): Promise<boolean> {
    return !!(await this.db.getRepository(GradeDelivery).update(claim, patch)).affected;
  }

  // The outbox: read and written inside the runtime commit's transaction.

  findAttempt(id: string, m: EntityManager): Promise<Attempt | null> {
    return this.one(this.sql.attempt, [id], this.rows.attempt, m);
  }

  findLearner(id: string, m: EntityManager): Promise<Learner | null> {
    return this.one(this.sql.learner, [id], this.rows.learner, m);
  }

  /** A course's own grade policy settings (null: the defaults); undefined when the course is gone. */
  async findGradePolicy(courseId: string, m?: EntityManager): Promise<Partial<GradePolicy> | null | undefined> {
    const [row] = (await this.plain.run(this.sql.gradePolicy, [courseId], m)).records;
    return row ? this.rows.gradePolicy.hydrate(row).gradePolicy : undefined;
  }

  /** A learner's non-preview attempts on a resource link, the first first. */
  async listGradedAttempts(learnerId: string, resourceLinkId: string, m: EntityManager): Promise<Attempt[]> {
    const { records } = await this.plain.run(this.sql.gradedAttempts, [learnerId, resourceLinkId, this.notPreview], m);
    return records.map((r) => this.rows.attempt.hydrate(r));
  }

  /** The result columns of the SCO states of these attempts. */
  async listResultStates(attemptIds: string[], m: EntityManager): Promise<ScoState[]> {
    const sql = attemptIds.length === 1 ? this.sql.resultStates : this.plain.placeholders(`${this.resultStatesHead}${attemptIds.map(() => '?').join(', ')})`);
    const { records } = await this.plain.run(sql, attemptIds, m);
    return records.map((r) => this.rows.resultStates.hydrate(r));
  }

  /** The parsed manifest of a course version; null when there is no such version. */
  async findVersionManifest(courseVersionId: string, m: EntityManager = this.db.manager): Promise<ParsedManifest | null> {
    return (await m.findOne(CourseVersion, { where: { id: courseVersionId }, select: ['id', 'manifest', 'scormVersion'] }))?.manifest ?? null;
  }

  /** The outbox row of a (resource link, learner): there is at most one. */
  findDeliveryOf(resourceLinkId: string, learnerId: string, m: EntityManager): Promise<GradeDelivery | null> {
    return this.one(this.sql.delivery, [resourceLinkId, learnerId], this.rows.delivery, m);
  }

  async insertDelivery(fields: NewGradeDelivery, m: EntityManager): Promise<void> {
    await m.insert(GradeDelivery, m.create(GradeDelivery, fields));
  }

  /** Changes a row only if its version and state are still those read; false when it changed meanwhile. */
  async updateDeliveryIfUnchanged(row: Pick<GradeDelivery, 'id' | 'version' | 'state'>, patch: Partial<GradeDelivery>, m: EntityManager = this.db.manager): Promise<boolean> {
    return ((await m.update(GradeDelivery, { id: row.id, version: row.version, state: row.state }, patch)).affected ?? 0) > 0;
  }

  // The console's reports.

  findDelivery(id: string): Promise<GradeDelivery | null> {
    return this.db.manager.findOneBy(GradeDelivery, { id });
  }

  /**
   * A course's resource links; with `customerId`, only those of the LMSs of that customer: its
   * platforms, and its dispatches (src/dispatch: a dispatch's id stands in the link's platform column).
   */
  listResourceLinksOfCourse(courseId: string, customerId?: string): Promise<ResourceLink[]> {
    if (customerId === undefined) {
      return this.db.manager.find(ResourceLink, { where: { courseId } });
    }
    return this.db
      .getRepository(ResourceLink)
      .createQueryBuilder('l')
      .leftJoin(Platform, 'p', 'p.id = l.platformId')
      .leftJoin(Dispatch, 'd', 'd.id = l.platformId')
      .where('l.courseId = :courseId AND COALESCE(p.customerId, d.customerId) = :customerId', { courseId, customerId })
      .getMany();
  }

  /** True when a customer with this id exists. */
  async customerExists(id: string): Promise<boolean> {
    return (await this.db.getRepository(Customer).count({ where: { id } })) > 0;
  }

  /** Every attempt on these resource links (previews too unless `withPreviews` is false), oldest first. */
  listAttemptsOnLinks(resourceLinkIds: string[], withPreviews = true): Promise<Attempt[]> {
    const where = withPreviews ? { resourceLinkId: In(resourceLinkIds) } : { resourceLinkId: In(resourceLinkIds), preview: false };
    return this.db.manager.find(Attempt, { where, order: { createdAt: 'ASC', number: 'ASC' } });
  }

  listLearners(ids: string[]): Promise<Learner[]> {
    return this.db.manager.find(Learner, { where: { id: In(ids) } });
  }

  /** The result columns of these attempts' SCO states, with their time spent and last change. */
  listReportStates(attemptIds: string[]): Promise<ScoState[]> {
    return this.db.manager.find(ScoState, { where: { attemptId: In(attemptIds) }, select: [...RESULT_COLUMNS, 'totalTimeSeconds' as const, 'updatedAt' as const] });
  }

  listDeliveriesOnLinks(resourceLinkIds: string[]): Promise<GradeDelivery[]> {
    return this.db.manager.find(GradeDelivery, { where: { resourceLinkId: In(resourceLinkIds) } });
  }

  // Resource links: read by the worker, and by the outbox inside the commit's transaction.

  findResourceLink(id: string, m?: EntityManager): Promise<ResourceLink | null> {
    return this.one(this.sql.link, [id], this.rows.link, m);
  }

  /**
   * Takes the right to find or create a link's own line item: true for the one caller whose UPDATE
   * changed the row (no URL kept yet, and no other claim running).
   */
  async claimLineItemCreation(resourceLinkId: string, claimToken: string, now: number, until: number): Promise<boolean> {
    const { affected } = await this.plain.run(this.lineItemClaimSql, [claimToken, until, resourceLinkId, now]);
    return affected === 1;
  }

  async releaseLineItemClaim(resourceLinkId: string, claimToken: string): Promise<void> {
    await this.db.getRepository(ResourceLink).update({ id: resourceLinkId, lineItemClaimToken: claimToken }, { lineItemClaimToken: null, lineItemClaimUntil: null });
  }

  /** Where an LTI 1.1 learner's result on a link goes (Basic Outcomes), if a 1.1 launch said so. */
  findOutcomeTarget(resourceLinkId: string, learnerId: string, m: EntityManager = this.db.manager): Promise<OutcomeTarget | null> {
    return m.findOneBy(OutcomeTarget, { resourceLinkId, learnerId });
  }

  /** Keeps the line item created for a resource link, so it is created once. */
  async setLineItemUrl(resourceLinkId: string, lineItemUrl: string): Promise<void> {
    await this.db.getRepository(ResourceLink).update({ id: resourceLinkId }, { lineItemUrl });
  }
}
