import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Course } from '../courses/course.entity';
import { CourseVersion } from '../courses/course-version.entity';
import { ColumnList, EntitySql, PlainSql } from '../database/plain-sql';
import { Attempt } from './attempt.entity';
import { LaunchCode } from './launch-code.entity';
import { Learner } from './learner.entity';
import { OutcomeTarget } from './outcome-target.entity';
import { ResourceLink } from './resource-link.entity';

const LEARNER_COLUMNS = ['id', 'platformId', 'sub', 'name', 'givenName', 'familyName', 'email'] as const;
const LINK_COLUMNS = [
  'id',
  'platformId',
  'deploymentId',
  'resourceLinkId',
  'courseId',
  'title',
  'agsLineItemUrl',
  'agsLineItemsUrl',
  'agsScopes',
  'lineItemUrl',
  'nrpsMembershipsUrl',
  'contextId',
] as const;
const ATTEMPT_COLUMNS = ['id', 'learnerId', 'resourceLinkId', 'courseVersionId', 'number', 'preview', 'completedAt', 'lastLaunchedAt', 'launchCount'] as const;
const CODE_COLUMNS = ['id', 'codeHash', 'attemptId', 'expiresAt', 'usedAt', 'returnUrl'] as const;

/** The learner names a launch refreshes. */
export type LearnerNames = Pick<Learner, 'name' | 'givenName' | 'familyName' | 'email'>;
/** The link fields a launch's claims refresh. */
export type LinkClaims = Pick<ResourceLink, 'courseId' | 'title' | 'agsLineItemUrl' | 'agsLineItemsUrl' | 'agsScopes' | 'nrpsMembershipsUrl' | 'contextId'>;

/**
 * Learners, resource links, attempts and launch codes. The launch path's reads and writes are plain
 * SQL prepared at start-up (see {@link PlainSql}): TypeORM's query building was 25–35 % of the server
 * CPU of a launch (bench/launch profile, issue 3). Methods that take `m` run in the caller's transaction.
 */
@Injectable()
export class AttemptsRepository {
  private readonly attempts: EntitySql<Attempt>;
  private readonly codes: EntitySql<LaunchCode>;
  private readonly learnerColumns: ColumnList<Learner, (typeof LEARNER_COLUMNS)[number]>;
  private readonly linkColumns: ColumnList<ResourceLink, (typeof LINK_COLUMNS)[number]>;
  private readonly attemptColumns: ColumnList<Attempt, (typeof ATTEMPT_COLUMNS)[number]>;
  private readonly codeColumns: ColumnList<LaunchCode, (typeof CODE_COLUMNS)[number]>;
  private readonly sql: Record<'course' | 'learner' | 'insertLearner' | 'link' | 'insertLink' | 'openAttempt' | 'insertAttempt' | 'insertCode' | 'redeem' | 'countLaunch', string>;

  constructor(
    private readonly db: DataSource,
    private readonly plain: PlainSql,
  ) {
    const c = plain.entity(Course);
    const l = plain.entity(Learner);
    const r = plain.entity(ResourceLink);
    const a = (this.attempts = plain.entity(Attempt));
    const k = (this.codes = plain.entity(LaunchCode));
    const ls = (this.learnerColumns = l.columns(LEARNER_COLUMNS));
    const rs = (this.linkColumns = r.columns(LINK_COLUMNS));
    const as = (this.attemptColumns = a.columns(ATTEMPT_COLUMNS));
    this.codeColumns = k.columns(CODE_COLUMNS);
    const statement = (name: string, text: string) => plain.statement(`AttemptsRepository.${name}`, text);
    this.sql = {
      course: statement('course', `SELECT ${c.columns(['id', 'currentVersionId']).select} FROM ${c.table} WHERE ${c.col('id')} = ?`),
      learner: statement('learner', `SELECT ${ls.select} FROM ${l.table} WHERE ${l.col('platformId')} = ? AND ${l.col('sub')} = ?`),
      insertLearner: statement('insertLearner', l.insertIfAbsent(ls)),
      link: statement(
        'link',
        `SELECT ${rs.select} FROM ${r.table} WHERE ${r.col('platformId')} = ? AND ${r.col('deploymentId')} = ? AND ${r.col('resourceLinkId')} = ?`,
      ),
      insertLink: statement('insertLink', r.insertIfAbsent(rs)),
      openAttempt: statement(
        'openAttempt',
        `SELECT ${as.select} FROM ${a.table} WHERE ${a.col('learnerId')} = ? AND ${a.col('resourceLinkId')} = ? AND ${a.col('preview')} = ? AND ${a.col('completedAt')} IS NULL ORDER BY ${a.col('number')} DESC LIMIT 1`,
      ),
      insertAttempt: statement('insertAttempt', a.insertIfAbsent(as)),
      countLaunch: statement(
        'countLaunch',
        `UPDATE ${a.table} SET ${a.col('launchCount')} = ${a.col('launchCount')} + 1, ${a.col('lastLaunchedAt')} = ?, ${a.col('updatedAt')} = CURRENT_TIMESTAMP WHERE ${a.col('id')} = ? RETURNING ${as.select}`,
      ),
      insertCode: statement('insertCode', k.insert(this.codeColumns)),
      redeem: statement(
        'redeem',
        `UPDATE ${k.table} SET ${k.col('usedAt')} = ?, ${k.col('updatedAt')} = CURRENT_TIMESTAMP WHERE ${k.col('codeHash')} = ? AND ${k.col('usedAt')} IS NULL AND ${k.col('expiresAt')} > ? RETURNING ${k.columns(['attemptId', 'returnUrl']).select}`,
      ),
    };
  }

  /** The course a launch names and its current version (undefined when the course is gone). */
  async findCourseForLaunch(courseId: string, m: EntityManager = this.db.manager): Promise<{ id: string; currentVersionId: string | null } | undefined> {
    const { records } = await this.plain.run(this.sql.course, [courseId], m);
    return records[0] as { id: string; currentVersionId: string | null } | undefined;
  }

  async findLearner(platformId: string, sub: string, m: EntityManager = this.db.manager): Promise<Learner | null> {
    const [row] = (await this.plain.run(this.sql.learner, [platformId, sub], m)).records;
    return row ? this.learnerColumns.hydrate(row) : null;
  }

  /** False when a concurrent launch inserted the same learner first (its row is then read instead). */
  async insertLearner(learner: Learner, m: EntityManager = this.db.manager): Promise<boolean> {
    return (await this.plain.run(this.sql.insertLearner, this.learnerColumns.values(learner), m)).records.length > 0;
  }

  async updateLearnerNames(id: string, names: LearnerNames, m: EntityManager = this.db.manager): Promise<void> {
    await m.update(Learner, { id }, names);
  }

  async findLink(platformId: string, deploymentId: string, resourceLinkId: string, m: EntityManager = this.db.manager): Promise<ResourceLink | null> {
    const [row] = (await this.plain.run(this.sql.link, [platformId, deploymentId, resourceLinkId], m)).records;
    return row ? this.linkColumns.hydrate(row) : null;
  }

  /** False when a concurrent launch inserted the same link first. */
  async insertLink(link: ResourceLink, m: EntityManager = this.db.manager): Promise<boolean> {
    return (await this.plain.run(this.sql.insertLink, this.linkColumns.values(link), m)).records.length > 0;
  }

  async updateLinkClaims(id: string, claims: LinkClaims, m: EntityManager = this.db.manager): Promise<void> {
    await m.update(ResourceLink, { id }, claims);
  }

  /**
   * Keeps where an LTI 1.1 learner's result on a link goes (Basic Outcomes): inserted at their first
   * 1.1 launch, changed when a later launch names another service URL or sourcedId.
   */
  async saveOutcomeTarget(resourceLinkId: string, learnerId: string, target: { serviceUrl: string; sourcedId: string }, m: EntityManager): Promise<void> {
    const repo = m.getRepository(OutcomeTarget);
    const found = await repo.findOneBy({ resourceLinkId, learnerId });
    if (!found) {
      await repo.createQueryBuilder().insert().values({ id: randomUUID(), resourceLinkId, learnerId, ...target }).orIgnore().execute();
    } else if (found.serviceUrl !== target.serviceUrl || found.sourcedId !== target.sourcedId) {
      await repo.update({ id: found.id }, target);
    }
  }

  /** The learner's newest unfinished attempt on the link (preview attempts apart from graded ones). */
  async findOpenAttempt(learnerId: string, resourceLinkId: string, preview: boolean, m: EntityManager = this.db.manager): Promise<Attempt | null> {
    const [row] = (await this.plain.run(this.sql.openAttempt, [learnerId, resourceLinkId, this.attempts.value('preview', preview)], m)).records;
    return row ? this.attemptColumns.hydrate(row) : null;
  }

  /** The number of the learner's last attempt on the link (0 when none). */
  async lastAttemptNumber(learnerId: string, resourceLinkId: string, m: EntityManager = this.db.manager): Promise<number> {
    const last = await m.findOne(Attempt, { where: { learnerId, resourceLinkId }, order: { number: 'DESC' } });
    return last?.number ?? 0;
  }

  /** False when a concurrent launch of the same learner on the same link inserted that attempt number first. */
  async insertAttempt(attempt: Attempt, m: EntityManager = this.db.manager): Promise<boolean> {
    return (await this.plain.run(this.sql.insertAttempt, this.attemptColumns.values(attempt), m)).records.length > 0;
  }

  findAttempt(id: string): Promise<Attempt | null> {
    return this.db.getRepository(Attempt).findOne({ where: { id } });
  }

  findLearnerOrFail(id: string): Promise<Learner> {
    return this.db.getRepository(Learner).findOneOrFail({ where: { id } });
  }

  /** A course version (its row is immutable, so callers cache it). */
  findCourseVersionOrFail(id: string): Promise<CourseVersion> {
    return this.db.getRepository(CourseVersion).findOneOrFail({ where: { id } });
  }

  /** Which course a version belongs to (null when the version is gone). */
  findVersionCourse(versionId: string, m: EntityManager = this.db.manager): Promise<Pick<CourseVersion, 'id' | 'courseId'> | null> {
    return m.findOne(CourseVersion, { where: { id: versionId }, select: { id: true, courseId: true } });
  }

  async markAttemptCompleted(attemptId: string, at: Date, m: EntityManager = this.db.manager): Promise<void> {
    await m.update(Attempt, { id: attemptId }, { completedAt: at });
  }

  async insertLaunchCode(code: LaunchCode): Promise<void> {
    await this.plain.run(this.sql.insertCode, this.codeColumns.values(code));
  }

  /**
   * Redeems a launch code once and counts the launch on its attempt, in one transaction: one
   * conditional UPDATE claims the code (unused and unexpired; the database decides between two
   * instances), a second one counts the launch. Refused when the code is used, expired or unknown, or
   * when its attempt is gone (the claim is then rolled back).
   */
  async redeemLaunchCode(codeHash: string, now: Date): Promise<RedeemedCode | { refused: 'code_invalid' | 'attempt_gone' }> {
    try {
      return await this.db.transaction(async (m) => {
        const [row] = (await this.plain.run(this.sql.redeem, [this.codes.value('usedAt', now), codeHash, this.codes.value('expiresAt', now)], m)).records as Array<{
          attemptId: string;
          returnUrl: string | null;
        }>;
        if (!row) {
          return { refused: 'code_invalid' } as const;
        }
        const [counted] = (await this.plain.run(this.sql.countLaunch, [this.attempts.value('lastLaunchedAt', now), row.attemptId], m)).records;
        if (!counted) {
          throw new AttemptGone();
        }
        return { attempt: this.attemptColumns.hydrate(counted), returnUrl: row.returnUrl ?? null };
      });
    } catch (e) {
      if (e instanceof AttemptGone) {
        return { refused: 'attempt_gone' };
      }
      throw e;
    }
  }
}

export interface RedeemedCode {
  attempt: Attempt;
  returnUrl: string | null;
}

/** Rolls the code's claim back when its attempt is gone. */
class AttemptGone extends Error {}
