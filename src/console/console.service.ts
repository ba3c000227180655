import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Attempt } from '../attempts/attempt.entity';
import { ResourceLink } from '../attempts/resource-link.entity';
import { Course } from '../courses/course.entity';
import { NotFoundError } from '../common/errors';
import type { LtiLaunchContext } from '../lti/protocol/launch-context';
import { PlayerLaunchService } from '../player/player-launch.service';

/**
 * The synthetic "platform" of console previews. It is not a registered platform: no LMS can launch
 * with it, its resource links carry no AGS claim, and its attempts are preview attempts, so nothing
 * it does ever reaches a gradebook (DESIGN §5).
 */
export const PREVIEW_PLATFORM_ID = 'console-preview';
export const PREVIEW_LEARNER_SUB = 'console-test-learner';

export interface CourseStatsDto {
  courseId: string;
  /** Distinct learners with at least one non-preview attempt. */
  learners: number;
  attempts: number;
  lastActivityAt: string | null;
}

export interface PreviewDto {
  /** One-time player URL on the content origin (valid about a minute). */
  url: string;
  attemptId: string;
}

/** Console-only reads and actions that combine other modules' public services. */
@Injectable()
export class ConsoleService {
  constructor(
    private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly player: PlayerLaunchService,
  ) {}

  /**
   * Plays a course in the real player as a test learner (issue 5: "preview as a test learner, no
   * grade passback"). The launch context is the one an instructor launch would build (LTI-CHECKLIST
   * §1: privileged roles get a preview attempt, credit=no-credit), from the synthetic preview platform
   * and without an AGS claim, so the attempt is never graded. The preview resumes until it ends.
   */
  async preview(courseId: string): Promise<PreviewDto> {
    // An existence check only: building the whole course DTO would parse every version and sign every SCO URL.
    if (!(await this.db.getRepository(Course).exist({ where: { id: courseId } }))) {
      throw new NotFoundError('course', courseId);
    }
    const course = { id: courseId };
    const ctx: LtiLaunchContext = {
      platformId: PREVIEW_PLATFORM_ID,
      issuer: this.config.publicUrl,
      clientId: PREVIEW_PLATFORM_ID,
      deploymentId: PREVIEW_PLATFORM_ID,
      sub: PREVIEW_LEARNER_SUB,
      name: 'Test Learner (preview)',
      givenName: 'Test',
      familyName: 'Learner',
      roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
      isInstructor: true,
      resourceLinkId: `console-preview:${course.id}`,
      resourceLinkTitle: 'Console preview',
      courseId: course.id,
      custom: {},
      returnUrl: `${this.config.publicUrl}/console/#/courses/${encodeURIComponent(course.id)}`,
    };
    const url = await this.player.playerUrl(ctx);
    const attempt = await this.db
      .getRepository(Attempt)
      .createQueryBuilder('a')
      .innerJoin(ResourceLink, 'l', 'l.id = a.resourceLinkId')
      .where('l.platformId = :p AND l.resourceLinkId = :r AND a.preview = :t', { p: PREVIEW_PLATFORM_ID, r: ctx.resourceLinkId, t: true })
      .orderBy('a.number', 'DESC')
      .getOneOrFail();
    return { url, attemptId: attempt.id };
  }

  /** Learner and attempt counts per course for the course list (previews are not learners). */
  async courseStats(): Promise<CourseStatsDto[]> {
    const rows = await this.db
      .getRepository(Attempt)
      .createQueryBuilder('a')
      .innerJoin(ResourceLink, 'l', 'l.id = a.resourceLinkId')
      .select('l.courseId', 'courseId')
      .addSelect('COUNT(DISTINCT a.learnerId)', 'learners')
      .addSelect('COUNT(a.id)', 'attempts')
      .addSelect('MAX(a.updatedAt)', 'last')
      .where('a.preview = :f', { f: false })
      .groupBy('l.courseId')
      .getRawMany<{ courseId: string; learners: number | string; attempts: number | string; last: string | Date | null }>();
    return rows.map((r) => ({
      courseId: r.courseId,
      learners: Number(r.learners),
      attempts: Number(r.attempts),
      lastActivityAt: r.last ? utc(r.last).toISOString() : null,
    }));
  }
}

/** SQLite answers MAX(datetime) as "YYYY-MM-DD HH:MM:SS.sss" in UTC without a zone; Postgres as a Date. */
function utc(v: string | Date): Date {
  return v instanceof Date ? v : new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(' ', 'T')}Z`);
}
