import { HttpStatus, Injectable } from '@nestjs/common';
import type { ResourceLink } from '../attempts/resource-link.entity';
import { AppError } from '../common/errors';
import { CustomersService } from '../customers/customers.service';
import { AttemptDto, GradeDeliveryDto, GradesAdminService } from '../grades/grades-admin.service';
import { launchRefused } from '../lti/customers/customer-refusals';
import type { Platform } from '../platforms/platform.entity';
import { PlatformsService } from '../platforms/platforms.service';
import { RosterDto, RosterService } from '../roster/roster.service';
import { InstructorRepository } from './instructor.repository';
import type { ViewClaims } from './view-token.service';

/** One learner of the link as the instructor view lists them. */
export interface LearnerRow {
  /** The platform's user id (`sub`). */
  userId: string;
  name: string | null;
  email: string | null;
  /** From the roster: `Active`, `Inactive`; `Not in the roster` when the roster is known and lacks them; null when there is no roster. */
  enrolment: 'Active' | 'Inactive' | 'Not in the roster' | null;
  attempts: number;
  progress: 'Not started' | 'In progress' | 'Completed' | 'Passed' | 'Failed';
  /** 0..1 of the latest attempt, null when none reported. */
  score: number | null;
  /** Over all attempts on the link. */
  timeSeconds: number;
  lastActivityAt: string | null;
  /** The learner's grade delivery to the LMS gradebook (null: nothing queued). */
  gradebook: GradeDeliveryDto | null;
}

/** Where the roster of the view came from. `no-service`: the LMS sent no memberships claim (or no context). */
export type RosterStatus = Pick<RosterDto, 'state' | 'error' | 'fetchedAt'> | { state: 'no-service'; error: null; fetchedAt: null };

export interface InstructorView {
  courseTitle: string;
  linkTitle: string | null;
  contextTitle: string | null;
  platformName: string;
  /** The link sends grades (an AGS claim came with its launches). */
  gradebookLinked: boolean;
  roster: RosterStatus;
  learners: LearnerRow[];
}

function progressOf(a: AttemptDto): LearnerRow['progress'] {
  if (a.success === 'passed') {
    return 'Passed';
  }
  if (a.success === 'failed') {
    return 'Failed';
  }
  if (a.completion === 'completed') {
    return 'Completed';
  }
  return a.grade.activityProgress === 'Initialized' ? 'Not started' : 'In progress';
}

/**
 * The results of one link in one LMS context (src/lti/README.md, "The instructor view"): its learners
 * from the attempts on that link and, when the LMS offers Names and Roles, the context's enrolled
 * learners who have not started. Everything is read through the token's platform, context and link,
 * so nothing of another context, platform or customer can appear; a suspended or unassigned customer
 * gets the launch's refusal.
 */
@Injectable()
export class InstructorViewService {
  constructor(
    private readonly repo: InstructorRepository,
    private readonly grades: GradesAdminService,
    private readonly roster: RosterService,
    private readonly platforms: PlatformsService,
    private readonly customers: CustomersService,
  ) {}

  /**
   * What a view token may still open: its link on its platform in its context, and the platform's
   * customer allowed to launch (else the launch's own refusal, worded for an instructor).
   */
  async authorise(claims: ViewClaims): Promise<{ link: ResourceLink; platform: Platform }> {
    const link = await this.repo.findLink(claims.linkId);
    if (!link || link.platformId !== claims.platformId || (link.contextId ?? null) !== claims.contextId) {
      throw new AppError('instructor_view_invalid', 'This activity is no longer in that LMS course. Open the activity again from your LMS.', HttpStatus.UNAUTHORIZED);
    }
    const platform = await this.platforms.get(claims.platformId);
    const refusal = await this.customers.launchRefusal(platform.customerId);
    if (refusal) {
      throw launchRefused(refusal, platform.name, true);
    }
    return { link, platform };
  }

  async view(claims: ViewClaims): Promise<InstructorView> {
    const { link, platform } = await this.authorise(claims);
    const attempts = await this.grades.listAttemptsOfLink(link.id, false);
    const roster: RosterDto | null = claims.contextId && link.nrpsMembershipsUrl ? await this.roster.roster(claims.platformId, claims.contextId) : null;
    const rosterKnown = roster !== null && roster.fetchedAt !== null;
    const members = new Map((roster?.members ?? []).map((m) => [m.userId, m]));

    const bySub = new Map<string, AttemptDto[]>();
    for (const a of attempts) {
      bySub.set(a.learner.sub, [...(bySub.get(a.learner.sub) ?? []), a]);
    }
    const learners: LearnerRow[] = [];
    for (const [sub, mine] of bySub) {
      const latest = mine.reduce((x, y) => (y.number > x.number ? y : x));
      const member = members.get(sub);
      learners.push({
        userId: sub,
        name: latest.learner.name ?? member?.name ?? null,
        email: latest.learner.email ?? member?.email ?? null,
        enrolment: member ? member.status : rosterKnown ? 'Not in the roster' : null,
        attempts: mine.length,
        progress: progressOf(latest),
        score: latest.score,
        timeSeconds: mine.reduce((t, a) => t + a.totalTimeSeconds, 0),
        lastActivityAt: mine.map((a) => a.lastActivityAt).sort().at(-1) ?? null,
        gradebook: latest.gradeDelivery ?? mine.find((a) => a.gradeDelivery)?.gradeDelivery ?? null,
      });
    }
    for (const m of roster?.members ?? []) {
      if (m.learner && !bySub.has(m.userId)) {
        learners.push({
          userId: m.userId,
          name: m.name,
          email: m.email,
          enrolment: m.status,
          attempts: 0,
          progress: 'Not started',
          score: null,
          timeSeconds: 0,
          lastActivityAt: null,
          gradebook: null,
        });
      }
    }
    learners.sort((a, b) => (a.name ?? a.userId).localeCompare(b.name ?? b.userId) || a.userId.localeCompare(b.userId));
    return {
      courseTitle: (await this.repo.courseTitle(link.courseId)) ?? 'Course',
      linkTitle: link.title,
      contextTitle: roster?.contextTitle ?? null,
      platformName: platform.name,
      gradebookLinked: Boolean(link.agsLineItemUrl || link.agsLineItemsUrl),
      roster: roster ? { state: roster.state, error: roster.error, fetchedAt: roster.fetchedAt } : { state: 'no-service', error: null, fetchedAt: null },
      learners,
    };
  }
}
