import { HttpStatus, Injectable } from '@nestjs/common';
import { AppError } from '../common/errors';
import type { LtiLaunchContext } from '../lti/protocol/launch-context';
import { Transactions } from '../database/transactions';
import { Attempt } from './attempt.entity';
import { AttemptsRepository } from './attempts.repository';
import { CourseVersionCache } from './course-version-cache';
import { Learner } from './learner.entity';
import { ResourceLink } from './resource-link.entity';

/** True when any of `next` differs from `row` (JSON for the simple-json columns). */
function changedFields(row: object, next: Record<string, unknown>): boolean {
  const r = row as Record<string, unknown>;
  return Object.entries(next).some(([k, v]) => (Array.isArray(v) || Array.isArray(r[k]) ? JSON.stringify(v) !== JSON.stringify(r[k]) : v !== r[k]));
}

/** Launch resolution: a validated LTI launch → the learner, the resource link and the open attempt (docs/architecture.md). */
@Injectable()
export class AttemptLaunchService {
  constructor(
    private readonly transactions: Transactions,
    private readonly repo: AttemptsRepository,
    private readonly versions: CourseVersionCache,
  ) {}

  /**
   * Resolves a validated launch to the learner's open attempt on that resource link, creating the
   * learner, link and attempt as needed. An open attempt stays on its course version; a new one uses
   * the course's current version (docs/architecture.md). Instructors get a separate preview attempt.
   */
  async resolveLaunch(ctx: LtiLaunchContext): Promise<Attempt> {
    return this.transactions.run(async (m) => {
      const course = await this.repo.findCourseForLaunch(ctx.courseId, m);
      if (!course || !course.currentVersionId) {
        throw new AppError(
          'course_not_found',
          'The course of this link no longer exists on the tool; ask the course owner to link it again.',
          HttpStatus.NOT_FOUND,
        );
      }
      // Written only when new or changed: a returning learner costs one SELECT, and a new row is not
      // read back after its INSERT (plain SQL: TypeORM's query building was most of this path's CPU).
      const found = await this.repo.findLearner(ctx.platformId, ctx.sub, m);
      const learner = found ?? Object.assign(new Learner(), { platformId: ctx.platformId, sub: ctx.sub, name: null, givenName: null, familyName: null, email: null });
      const names = {
        name: ctx.name ?? learner.name,
        givenName: ctx.givenName ?? learner.givenName,
        familyName: ctx.familyName ?? learner.familyName,
        email: ctx.email ?? learner.email,
      };
      if (!found) {
        Object.assign(learner, names);
        await this.repo.insertLearner(learner, m);
      } else if (changedFields(learner, names)) {
        Object.assign(learner, names);
        await this.repo.updateLearnerNames(learner.id, names, m);
      }

      const foundLink = await this.repo.findLink(ctx.platformId, ctx.deploymentId, ctx.resourceLinkId, m);
      const link =
        foundLink ??
        Object.assign(new ResourceLink(), {
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
        contextId: ctx.contextId ?? link.contextId ?? null,
      };
      if (!foundLink) {
        Object.assign(link, claims);
        await this.repo.insertLink(link, m);
      } else if (changedFields(link, claims)) {
        Object.assign(link, claims);
        await this.repo.updateLinkClaims(link.id, claims, m);
      }

      const preview = ctx.isInstructor;
      let attempt = await this.repo.findOpenAttempt(learner.id, link.id, preview, m);
      if (attempt) {
        // Course versions are immutable: the commit path's cache answers most launches.
        const version =
          this.versions.cached(attempt.courseVersionId) ??
          (await this.repo.findVersionCourse(attempt.courseVersionId, m));
        if (!version || version.courseId !== ctx.courseId) {
          attempt = null; // the link now points at another course: start afresh
        }
      }
      if (!attempt) {
        attempt = Object.assign(new Attempt(), {
          learnerId: learner.id,
          resourceLinkId: link.id,
          courseVersionId: course.currentVersionId,
          number: (await this.repo.lastAttemptNumber(learner.id, link.id, m)) + 1,
          preview,
          completedAt: null,
          lastLaunchedAt: null,
          launchCount: 0,
        });
        await this.repo.insertAttempt(attempt, m);
      }
      return attempt;
    });
  }
}
