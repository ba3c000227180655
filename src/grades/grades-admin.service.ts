import { HttpStatus, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppError, NotFoundError } from '../common/errors';
import type { ResourceLink } from '../attempts/resource-link.entity';
import { GradeDelivery } from './grade-delivery.entity';
import { GradeDispatcher } from './grade-dispatcher';
import { attemptResult } from '../scorm/result-rules';
import { GradeOutboxService, groupBy } from './grade-outbox.service';
import { GradesRepository } from './grades.repository';
import { effectivePolicy, toScoreContent } from './score-policy';
import type { ScoreContent } from './score-policy';

/** A grade delivery as the console shows it. */
export interface GradeDeliveryDto {
  id: string;
  /** `ags` (LTI 1.3 AGS score) or `lti11` (LTI 1.1 Basic Outcomes replaceResult). */
  kind: string;
  state: string;
  tries: number;
  lastError: string | null;
  lastStatus: number | null;
  payload: ScoreContent;
  nextAttemptAt: string | null;
  sentAt: string | null;
  updatedAt: string;
}

/** One attempt in `GET /api/attempts` (docs/rest-api.md, contract). */
export interface AttemptDto {
  id: string;
  number: number;
  preview: boolean;
  resourceLinkId: string;
  resourceLinkTitle: string | null;
  learner: { id: string; sub: string; name: string | null; email: string | null };
  completion: string;
  success: string;
  /** 0..1, null when no SCO reported a score. */
  score: number | null;
  /** What this attempt alone would send to the gradebook. */
  grade: ScoreContent;
  totalTimeSeconds: number;
  startedAt: string;
  endedAt: string | null;
  lastActivityAt: string;
  /** The learner's grade delivery for this resource link (one per link and learner), null when none. */
  gradeDelivery: GradeDeliveryDto | null;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export function toDeliveryDto(d: GradeDelivery): GradeDeliveryDto {
  return {
    id: d.id,
    kind: d.kind,
    state: d.state,
    tries: d.tries,
    lastError: d.lastError,
    lastStatus: d.lastStatus,
    payload: d.payload,
    nextAttemptAt: d.state === 'pending' || d.state === 'retry' ? iso(d.nextAttemptAt) : null,
    sentAt: iso(d.sentAt),
    updatedAt: new Date(d.updatedAt).toISOString(),
  };
}

/** Read side of attempts and results for the console, and the resend action (docs/rest-api.md). */
@Injectable()
export class GradesAdminService {
  constructor(
    private readonly repo: GradesRepository,
    private readonly outbox: GradeOutboxService,
    private readonly dispatcher: GradeDispatcher,
    private readonly clock: Clock,
  ) {}

  /**
   * The attempts of a course, oldest first; `customerId` keeps those made from that customer's LMSs
   * (`customer_not_found` when there is no such customer), `previews: false` leaves previews out.
   */
  async listAttempts(courseId: string, filter: { customerId?: string; previews?: boolean } = {}): Promise<AttemptDto[]> {
    if (filter.customerId !== undefined && !(await this.repo.customerExists(filter.customerId))) {
      throw new NotFoundError('customer', filter.customerId);
    }
    return this.describeAttempts(courseId, await this.repo.listResourceLinksOfCourse(courseId, filter.customerId), filter.previews ?? true);
  }

  /**
   * The attempts on one resource link (our row id), oldest first, previews left out unless asked
   * for: the instructor view of that link (src/instructor). Empty when there is no such link.
   */
  async listAttemptsOfLink(resourceLinkId: string, previews = false): Promise<AttemptDto[]> {
    const link = await this.repo.findResourceLink(resourceLinkId);
    return link ? this.describeAttempts(link.courseId, [link], previews) : [];
  }

  private async describeAttempts(courseId: string, links: ResourceLink[], previews: boolean): Promise<AttemptDto[]> {
    if (links.length === 0) {
      return [];
    }
    const attempts = await this.repo.listAttemptsOnLinks(
      links.map((l) => l.id),
      previews,
    );
    if (attempts.length === 0) {
      return [];
    }
    const learners = await this.repo.listLearners([...new Set(attempts.map((a) => a.learnerId))]);
    const states = await this.repo.listReportStates(attempts.map((a) => a.id));
    const deliveries = await this.repo.listDeliveriesOnLinks(links.map((l) => l.id));
    const policy = effectivePolicy(await this.repo.findGradePolicy(courseId));
    const linkById = new Map(links.map((l) => [l.id, l]));
    const learnerById = new Map(learners.map((l) => [l.id, l]));
    const statesByAttempt = groupBy(states, (s) => s.attemptId);
    const deliveryByLearnerLink = new Map(deliveries.map((d) => [`${d.resourceLinkId}\n${d.learnerId}`, d]));
    const out: AttemptDto[] = [];
    for (const a of attempts) {
      const mine = statesByAttempt.get(a.id) ?? [];
      const result = attemptResult(await this.outbox.itemsFor(a.courseVersionId), mine, a);
      const learner = learnerById.get(a.learnerId);
      const delivery = deliveryByLearnerLink.get(`${a.resourceLinkId}\n${a.learnerId}`);
      const last = Math.max(new Date(a.updatedAt).getTime(), a.lastLaunchedAt ? new Date(a.lastLaunchedAt).getTime() : 0, ...mine.map((s) => new Date(s.updatedAt).getTime()));
      out.push({
        id: a.id,
        number: a.number,
        preview: a.preview,
        resourceLinkId: a.resourceLinkId,
        resourceLinkTitle: linkById.get(a.resourceLinkId)?.title ?? null,
        learner: { id: a.learnerId, sub: learner?.sub ?? '', name: learner?.name ?? null, email: learner?.email ?? null },
        completion: result.completion,
        success: result.success,
        score: result.score ?? null,
        grade: toScoreContent(result, policy),
        totalTimeSeconds: mine.reduce((t, s) => t + (s.totalTimeSeconds || 0), 0),
        startedAt: new Date(a.createdAt).toISOString(),
        endedAt: a.completedAt ? new Date(a.completedAt).toISOString() : null,
        lastActivityAt: new Date(last).toISOString(),
        gradeDelivery: delivery && !a.preview ? toDeliveryDto(delivery) : null,
      });
    }
    return out;
  }

  async getDelivery(id: string): Promise<GradeDeliveryDto> {
    const row = await this.repo.findDelivery(id);
    if (!row) {
      throw new NotFoundError('grade delivery', id);
    }
    return toDeliveryDto(row);
  }

  /**
   * Sends a delivery again (docs/rest-api.md): a failed, superseded or sent one gets a new, later timestamp;
   * a waiting one is made due now. A delivery being sent right now cannot be resent.
   */
  async resend(id: string): Promise<GradeDeliveryDto> {
    const row = await this.repo.findDelivery(id);
    if (!row) {
      throw new NotFoundError('grade delivery', id);
    }
    if (row.state === 'sending') {
      throw new AppError('grade_delivery_in_flight', 'This grade is being sent right now; look again in a few seconds.', HttpStatus.CONFLICT);
    }
    const now = this.clock.now();
    const patch: Partial<GradeDelivery> =
      row.state === 'pending' || row.state === 'retry'
        ? { nextAttemptAt: now }
        : { state: 'pending', tries: 0, scoreTimestamp: null, resultAt: now, lastError: null, lastStatus: null, nextAttemptAt: now };
    if (!(await this.repo.updateDeliveryIfUnchanged(row, patch))) {
      throw new AppError('grade_delivery_changed', 'This grade changed while you asked; look at it again and retry.', HttpStatus.CONFLICT);
    }
    this.dispatcher.kick();
    return this.getDelivery(id);
  }
}
