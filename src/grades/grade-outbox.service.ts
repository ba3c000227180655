import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ResultListener } from '../attempts/result-listener';
import { Attempt } from '../attempts/attempt.entity';
import { ResourceLink } from '../attempts/resource-link.entity';
import { setBounded } from '../common/bounded-map';
import { Clock } from '../common/clock';
import { afterCommit } from '../database/transactions';
import { ChangeNotices, forgetChanged } from '../database/change-notices';
import { attemptResult, courseItems, type CourseItems } from '../scorm/result-rules';
import { SCOPES } from '../lti/protocol/claims';
import { DeliveryKind, GradeDelivery } from './grade-delivery.entity';
import { outcomeScore } from './basic-outcomes';
import { GradeDispatcher } from './grade-dispatcher';
import { GradesRepository } from './grades.repository';
import { DEFAULT_GRADE_POLICY, effectivePolicy, GradePolicy, pickAttemptScore, sameScore, ScoreContent, toScoreContent } from './score-policy';

/** True when the link's AGS claim lets us post scores somewhere (src/grades/README.md). */
export function canPassBack(link: ResourceLink): boolean {
  const scopes = link.agsScopes ?? [];
  if (!scopes.includes(SCOPES.score)) {
    return false;
  }
  return !!(link.agsLineItemUrl || link.lineItemUrl || (link.agsLineItemsUrl && scopes.includes(SCOPES.lineItem)));
}

/**
 * Writes the grade outbox (src/grades/README.md). Called by the player inside the transaction of every applied
 * runtime commit, so a changed result and its outbox row commit together (the outbox guarantee).
 * One row per (resource link, learner): a newer result replaces an unsent payload.
 */
@Injectable()
export class GradeOutboxService extends ResultListener {
  private readonly logger = new Logger(GradeOutboxService.name);
  private readonly itemsCache = new Map<string, CourseItems>();

  constructor(
    private readonly dispatcher: GradeDispatcher,
    private readonly clock: Clock,
    private readonly repo: GradesRepository,
    private readonly changes: ChangeNotices,
  ) {
    super();
    changes.on('course-versions', (ids) => forgetChanged(this.itemsCache, (id) => id, ids));
  }

  onResultMaybeChanged(manager: EntityManager, attemptId: string): Promise<void> {
    return this.recordResult(manager, attemptId);
  }

  /**
   * Recomputes the learner's grade for the attempt's resource link and, when it differs from what is
   * queued or sent, writes it to the outbox. Preview attempts never produce grades. A link with an AGS
   * claim that allows scores gets AGS; else an LTI 1.1 learner whose launch named an outcome service
   * gets Basic Outcomes, with final results only (it carries a score, not progress); else no passback.
   */
  async recordResult(manager: EntityManager, attemptId: string, now = this.clock.now()): Promise<void> {
    const attempt = await this.repo.findAttempt(attemptId, manager);
    if (!attempt || attempt.preview) {
      return;
    }
    const link = await this.repo.findResourceLink(attempt.resourceLinkId, manager);
    const kind = link ? await this.kindOf(link, attempt.learnerId, manager) : null;
    if (!link || !kind) {
      return;
    }
    const policy = effectivePolicy(await this.repo.findGradePolicy(link.courseId, manager));
    const content = await this.learnerScore(manager, attempt.learnerId, link.id, policy);
    if (!content || (kind === 'lti11' && outcomeScore(content.score) === null)) {
      return;
    }
    const changed = await this.upsert(manager, link, attempt, content.score, content.attemptId, now, kind);
    if (changed) {
      // After COMMIT: the worker reads the row just written, outside this transaction.
      afterCommit(manager, () => this.dispatcher.kick());
    }
  }

  /** How a learner's result on a link is passed back, or null when it is not (see {@link recordResult}). */
  private async kindOf(link: ResourceLink, learnerId: string, manager: EntityManager): Promise<DeliveryKind | null> {
    if (canPassBack(link)) {
      return 'ags';
    }
    return (await this.repo.findOutcomeTarget(link.id, learnerId, manager)) ? 'lti11' : null;
  }

  /** The score to send for a learner on a link, over their non-preview attempts (src/grades/README.md "Attempts"). */
  async learnerScore(
    manager: EntityManager,
    learnerId: string,
    resourceLinkId: string,
    policy: GradePolicy = DEFAULT_GRADE_POLICY,
  ): Promise<{ score: ScoreContent; attemptId: string } | undefined> {
    const attempts = await this.repo.listGradedAttempts(learnerId, resourceLinkId, manager);
    if (attempts.length === 0) {
      return undefined;
    }
    const states = await this.repo.listResultStates(
      attempts.map((a) => a.id),
      manager,
    );
    const scores: Array<{ score: ScoreContent; attemptId: string }> = [];
    const statesByAttempt = groupBy(states, (s) => s.attemptId);
    for (const a of attempts) {
      const rules = await this.itemsFor(a.courseVersionId, manager);
      scores.push({ score: toScoreContent(attemptResult(rules, statesByAttempt.get(a.id) ?? [], a), policy), attemptId: a.id });
    }
    const best = pickAttemptScore(
      scores.map((s) => s.score),
      policy,
    );
    return scores.find((s) => s.score === best);
  }

  /** The launchable items of a course version (cached: versions are immutable). */
  async itemsFor(courseVersionId: string, manager?: EntityManager): Promise<CourseItems> {
    let rules = this.itemsCache.get(courseVersionId);
    if (!rules) {
      const generation = this.changes.generation('course-versions');
      const manifest = await this.repo.findVersionManifest(courseVersionId, manager);
      rules = manifest ? courseItems(manifest) : { scormVersion: '2004', items: [] };
      if (generation === this.changes.generation('course-versions')) {
        setBounded(this.itemsCache, courseVersionId, rules, 500);
      }
    }
    return rules;
  }

  /**
   * Inserts or updates the row. The update is conditional on the (version, state) it read, so a
   * concurrent settle by the worker (Postgres, several instances) is never overwritten; on a lost
   * race it reads again.
   */
  private async upsert(manager: EntityManager, link: ResourceLink, attempt: Attempt, score: ScoreContent, attemptId: string, now: number, kind: DeliveryKind): Promise<boolean> {
    for (let round = 0; round < 5; round++) {
      const row = await this.repo.findDeliveryOf(link.id, attempt.learnerId, manager);
      if (!row) {
        const learner = await this.repo.findLearner(attempt.learnerId, manager);
        if (!learner) {
          return false;
        }
        await this.repo.insertDelivery(
          {
            resourceLinkId: link.id,
            learnerId: learner.id,
            platformId: link.platformId,
            kind,
            userId: learner.sub,
            attemptId,
            state: 'pending',
            payload: score,
            version: 1,
            resultAt: now,
            scoreTimestamp: null,
            lastTimestamp: null,
            tries: 0,
            nextAttemptAt: now,
            lockedUntil: null,
            claimToken: null,
            lastError: null,
            lastStatus: null,
            sentAt: null,
            sentPayload: null,
          },
          manager,
        );
        return true;
      }
      const queued = row.state === 'pending' || row.state === 'retry' || row.state === 'sending';
      // Compared with the last payload whatever its fate: an unchanged result that failed is not retried on
      // every commit (the console's resend does that), and an unchanged sent result is not sent again.
      if (sameScore(row.payload, score)) {
        return false;
      }
      const patch: Partial<GradeDelivery> = { payload: score, attemptId, kind, version: row.version + 1, resultAt: now, scoreTimestamp: null, tries: 0 };
      if (!queued) {
        // Sends for one (line item, user) stay at least a second apart (Moodle compares whole seconds).
        Object.assign(patch, { state: 'pending', lastError: null, lastStatus: null, nextAttemptAt: Math.max(now, (row.sentAt ?? 0) + 1000) });
      }
      if (await this.repo.updateDeliveryIfUnchanged(row, patch, manager)) {
        this.logger.debug(`Grade outbox ${row.id}: new result v${row.version + 1} (${score.activityProgress}/${score.gradingProgress})`);
        return true;
      }
    }
    this.logger.warn(`Grade outbox for link ${link.id}, learner ${attempt.learnerId} kept changing; the next commit will record it.`);
    return false;
  }
}

/** Groups items by a key, keeping their order (one pass instead of a filter per group). */
export function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) {
      list.push(item);
    } else {
      out.set(k, [item]);
    }
  }
  return out;
}
