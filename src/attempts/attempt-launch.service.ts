import { HttpStatus, Injectable } from '@nestjs/common';
import { AppError } from '../common/errors';
import type { EntityManager } from 'typeorm';
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

/** An INSERT that met a unique index, then found no row: not a race this code knows (a bug, not bad input). */
function lost(what: string, ctx: LtiLaunchContext): never {
  throw new Error(`the ${what} of platform ${ctx.platformId} / ${ctx.sub} / ${ctx.resourceLinkId} was neither inserted nor found`);
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
      const { learner, created } = await this.learnerOf(ctx, m);
      const link = await this.linkOf(ctx, m);
      if (ctx.outcome) {
        await this.repo.saveOutcomeTarget(link.id, learner.id, ctx.outcome, m);
      }
      const preview = ctx.isInstructor;
      // A learner this transaction created has no attempt yet (no other transaction sees its id
      // before the commit): a first launch skips both attempt queries.
      let attempt = created ? null : await this.repo.findOpenAttempt(learner.id, link.id, preview, m);
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
        const fresh = Object.assign(new Attempt(), {
          learnerId: learner.id,
          resourceLinkId: link.id,
          courseVersionId: course.currentVersionId,
          number: created ? 1 : (await this.repo.lastAttemptNumber(learner.id, link.id, m)) + 1,
          preview,
          completedAt: null,
          lastLaunchedAt: null,
          launchCount: 0,
        });
        // Two launches of one learner at once (two tabs) meet at the attempt number: one attempt.
        attempt = (await this.repo.insertAttempt(fresh, m)) ? fresh : await this.repo.findOpenAttempt(learner.id, link.id, preview, m);
        if (!attempt) {
          throw new Error(`attempt ${fresh.number} of learner ${learner.id} on link ${link.id} was inserted by a concurrent launch but is not open`);
        }
      }
      return attempt;
    });
  }

  /**
   * The launch's learner, created at the first launch and its names kept up to date. On PostgreSQL
   * two first launches of one learner really run at once: the second INSERT meets the unique index,
   * does nothing, and that launch reads the first one's row (SQLite runs transactions one at a time).
   */
  private async learnerOf(ctx: LtiLaunchContext, m: EntityManager, again = false): Promise<{ learner: Learner; created: boolean }> {
    const found = await this.repo.findLearner(ctx.platformId, ctx.sub, m);
    const names = {
      name: ctx.name ?? found?.name ?? null,
      givenName: ctx.givenName ?? found?.givenName ?? null,
      familyName: ctx.familyName ?? found?.familyName ?? null,
      email: ctx.email ?? found?.email ?? null,
    };
    if (!found) {
      const fresh = Object.assign(new Learner(), { platformId: ctx.platformId, sub: ctx.sub, ...names });
      if (await this.repo.insertLearner(fresh, m)) {
        return { learner: fresh, created: true };
      }
      return again ? lost('learner', ctx) : this.learnerOf(ctx, m, true); // a concurrent launch created it: now found
    }
    if (changedFields(found, names)) {
      Object.assign(found, names);
      await this.repo.updateLearnerNames(found.id, names, m);
    }
    return { learner: found, created: false };
  }

  /** The launch's resource link with its latest claims; like {@link learnerOf}, safe against a concurrent first launch (a class opening a new link). */
  private async linkOf(ctx: LtiLaunchContext, m: EntityManager, again = false): Promise<ResourceLink> {
    const found = await this.repo.findLink(ctx.platformId, ctx.deploymentId, ctx.resourceLinkId, m);
    const claims = {
      courseId: ctx.courseId,
      title: ctx.resourceLinkTitle ?? found?.title ?? null,
      agsLineItemUrl: ctx.ags?.lineitem ?? null,
      agsLineItemsUrl: ctx.ags?.lineitems ?? null,
      agsScopes: ctx.ags?.scope ?? null,
      nrpsMembershipsUrl: ctx.nrps?.contextMembershipsUrl ?? null,
      contextId: ctx.contextId ?? found?.contextId ?? null,
    };
    if (!found) {
      const fresh = Object.assign(new ResourceLink(), { platformId: ctx.platformId, deploymentId: ctx.deploymentId, resourceLinkId: ctx.resourceLinkId, lineItemUrl: null, ...claims });
      if (await this.repo.insertLink(fresh, m)) {
        return fresh;
      }
      return again ? lost('resource link', ctx) : this.linkOf(ctx, m, true);
    }
    if (changedFields(found, claims)) {
      Object.assign(found, claims);
      await this.repo.updateLinkClaims(found.id, claims, m);
    }
    return found;
  }
}
