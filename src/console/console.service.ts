import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CoursesService } from '../courses/courses.service';
import type { LtiLaunchContext } from '../lti/protocol/launch-context';
import { PlayerLaunchService } from '../player/player-launch.service';
import { ConsoleRepository } from './console.repository';

/**
 * The synthetic "platform" of console previews. It is not a registered platform: no LMS can launch
 * with it, its resource links carry no AGS claim, and its attempts are preview attempts, so nothing
 * it does ever reaches a gradebook (src/grades/README.md).
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
    private readonly repo: ConsoleRepository,
    private readonly courses: CoursesService,
    private readonly config: AppConfig,
    private readonly player: PlayerLaunchService,
  ) {}

  /**
   * Plays a course in the real player as a test learner (issue 5: "preview as a test learner, no
   * grade passback"). The launch context is the one an instructor launch would build (docs/lti-launch-checks.md:
   * privileged roles get a preview attempt, credit=no-credit), from the synthetic preview platform
   * and without an AGS claim, so the attempt is never graded. The preview resumes until it ends.
   */
  async preview(courseId: string): Promise<PreviewDto> {
    // An existence check only: building the whole course DTO would parse every version and sign every SCO URL.
    await this.courses.assertExists(courseId);
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
    const attempt = await this.repo.findLatestPreviewAttempt(PREVIEW_PLATFORM_ID, ctx.resourceLinkId);
    return { url, attemptId: attempt.id };
  }

  /** Learner and attempt counts per course for the course list (previews are not learners). */
  async courseStats(): Promise<CourseStatsDto[]> {
    return (await this.repo.courseActivity()).map((r) => ({ ...r, lastActivityAt: r.lastActivityAt?.toISOString() ?? null }));
  }
}
