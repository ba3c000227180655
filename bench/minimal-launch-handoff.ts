import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { html, sendHtml } from '../src/common/html';
import { Course } from '../src/courses/course.entity';
import { LaunchHandoff, LtiLaunchContext } from '../src/lti/protocol/launch-context';

/**
 * Stand-in for the player until it takes over the launch: a small page naming the course and the
 * learner, so a launch is visibly complete. Replaced by the player module's handoff.
 */
@Injectable()
export class MinimalLaunchHandoff extends LaunchHandoff {
  constructor(private readonly db: DataSource) {
    super();
  }

  async handoff(ctx: LtiLaunchContext, res: Response): Promise<void> {
    const course = await this.db.getRepository(Course).findOne({ where: { id: ctx.courseId } });
    const title = course?.title ?? ctx.courseId;
    sendHtml(
      res,
      html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body><main><h1 data-course-title>${title}</h1><p>Signed in as <code data-sub>${ctx.sub}</code>${ctx.isInstructor && ' (instructor preview)'}.</p></main></body></html>`,
    );
  }
}
