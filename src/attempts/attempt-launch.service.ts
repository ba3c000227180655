import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors';
import { CourseVersion } from '../courses/course-version.entity';
import type { LtiLaunchContext } from '../lti/protocol/launch-context';
import { runSql } from '../database/plain-sql';
import { Attempt } from './attempt.entity';
import { ATTEMPT_INSERT, ATTEMPT_READ, AttemptsSql, LEARNER_INSERT, LEARNER_READ, LINK_INSERT, LINK_READ } from './attempts.sql';
import { CourseVersionCache } from './course-version-cache';
import { Learner } from './learner.entity';
import { ResourceLink } from './resource-link.entity';

/** True when any of `next` differs from `row` (JSON for the simple-json columns). */
function changedFields(row: object, next: Record<string, unknown>): boolean {
  const r = row as Record<string, unknown>;
  return Object.entries(next).some(([k, v]) => (Array.isArray(v) || Array.isArray(r[k]) ? JSON.stringify(v) !== JSON.stringify(r[k]) : v !== r[k]));
}

/** Launch resolution: a validated LTI launch → the learner, the resource link and the open attempt (DESIGN §1.2–§1.3). */
@Injectable()
export class AttemptLaunchService {
  constructor(
    private readonly db: DataSource,
    private readonly statements: AttemptsSql,
    private readonly versions: CourseVersionCache,
  ) {}

  /**
   * Resolves a validated launch to the learner's open attempt on that resource link, creating the
   * learner, link and attempt as needed. An open attempt stays on its course version; a new one uses
   * the course's current version (DESIGN §1.2). Instructors get a separate preview attempt.
   */
  async resolveLaunch(ctx: LtiLaunchContext): Promise<Attempt> {
    const sql = this.statements.launch;
    return this.db.transaction(async (m) => {
      const [course] = (await runSql(this.db, m, sql.course, [ctx.courseId])).records as Array<{ id: string; currentVersionId: string | null }>;
      if (!course || !course.currentVersionId) {
        throw new AppError(
          'course_not_found',
          'The course of this link no longer exists on the tool; ask the course owner to link it again.',
          HttpStatus.NOT_FOUND,
        );
      }
      // Written only when new or changed: a returning learner costs one SELECT, and a new row is not
      // read back after its INSERT (plain SQL: TypeORM's query building was most of this path's CPU).
      const [foundRow] = (await runSql(this.db, m, sql.learner, [ctx.platformId, ctx.sub])).records;
      const found = foundRow ? sql.learners.hydrate(foundRow, LEARNER_READ, Object.create(Learner.prototype) as Learner) : null;
      const learner = found ?? m.create(Learner, { platformId: ctx.platformId, sub: ctx.sub, name: null, givenName: null, familyName: null, email: null });
      const names = {
        name: ctx.name ?? learner.name,
        givenName: ctx.givenName ?? learner.givenName,
        familyName: ctx.familyName ?? learner.familyName,
        email: ctx.email ?? learner.email,
      };
      if (!found) {
        Object.assign(learner, names);
        await runSql(this.db, m, sql.insertLearner, sql.learners.values(learner, LEARNER_INSERT));
      } else if (changedFields(learner, names)) {
        Object.assign(learner, names);
        await m.update(Learner, { id: learner.id }, names);
      }

      const [linkRow] = (await runSql(this.db, m, sql.link, [ctx.platformId, ctx.deploymentId, ctx.resourceLinkId])).records;
      const foundLink = linkRow ? sql.links.hydrate(linkRow, LINK_READ, Object.create(ResourceLink.prototype) as ResourceLink) : null;
      const link =
        foundLink ??
        m.create(ResourceLink, {
          platformId: ctx.platformId,
          deploymentId: ctx.deploymentId,
          resourceLinkId: ctx.resourceLinkId,
          courseId: ctx.courseId,
          title: null,
          lineItemUrl: null,
        });
      const claims = {
        courseId: ctx.courseId,
        title: ctx.resourceLinkTitle ?? link.title ?? null,
        agsLineItemUrl: ctx.ags?.lineitem ?? null,
        agsLineItemsUrl: ctx.ags?.lineitems ?? null,
        agsScopes: ctx.ags?.scope ?? null,
        nrpsMembershipsUrl: ctx.nrps?.contextMembershipsUrl ?? null,
      };
      if (!foundLink) {
        Object.assign(link, claims);
        await runSql(this.db, m, sql.insertLink, sql.links.values(link, LINK_INSERT));
      } else if (changedFields(link, claims)) {
        Object.assign(link, claims);
        await m.update(ResourceLink, { id: link.id }, claims);
      }

      const preview = ctx.isInstructor;
      const [attemptRow] = (await runSql(this.db, m, sql.openAttempt, [learner.id, link.id, sql.attempts.value('preview', preview)])).records;
      let attempt = attemptRow ? sql.attempts.hydrate(attemptRow, ATTEMPT_READ, Object.create(Attempt.prototype) as Attempt) : null;
      if (attempt) {
        // Course versions are immutable: the commit path's cache answers most launches.
        const version =
          this.versions.cached(attempt.courseVersionId) ??
          (await m.findOne(CourseVersion, { where: { id: attempt.courseVersionId }, select: { id: true, courseId: true } }));
        if (!version || version.courseId !== ctx.courseId) {
          attempt = null; // the link now points at another course: start afresh
        }
      }
      if (!attempt) {
        const last = await m.findOne(Attempt, { where: { learnerId: learner.id, resourceLinkId: link.id }, order: { number: 'DESC' } });
        attempt = m.create(Attempt, {
          learnerId: learner.id,
          resourceLinkId: link.id,
          courseVersionId: course.currentVersionId,
          number: (last?.number ?? 0) + 1,
          preview,
          completedAt: null,
          lastLaunchedAt: null,
          launchCount: 0,
        });
        await runSql(this.db, m, sql.insertAttempt, sql.attempts.values(attempt, ATTEMPT_INSERT));
      }
      return attempt;
    });
  }
}
