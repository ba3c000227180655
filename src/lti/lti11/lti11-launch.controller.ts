import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { sendHtml } from '../../common/html';
import { AppConfig } from '../../config/app-config';
import type { OAuthParams } from '../../lti11/oauth1';
import { AddressRateLimiter, LTI11_LAUNCH_LIMIT } from '../../rate-limits/rate-limiter';
import { LaunchHandoff } from '../protocol/launch-context';
import { LtiError } from '../protocol/lti-error';
import { harmlessPage } from '../protocol/pages';
import { Lti11LaunchService } from './lti11-launch.service';

/**
 * LTI 1.1 launch URLs (docs/lti-launch-checks.md §6). The LMS signs the URL it posts to, so it is
 * rebuilt from PUBLIC_URL and the request's path and query. A refusal is a readable page with its code
 * (the exception filter); a checked launch goes on through the same `LaunchHandoff` as LTI 1.3. Launches
 * are rate-limited per client address like LTI 1.3 logins (`LTI11_LAUNCH_LIMIT`), before any check.
 */
@Controller('lti/1p1')
export class Lti11LaunchController {
  constructor(
    private readonly config: AppConfig,
    private readonly launches: Lti11LaunchService,
    private readonly handoff: LaunchHandoff,
    private readonly limiter: AddressRateLimiter,
  ) {}

  @Post('launch')
  @HttpCode(200)
  launch(@Body() body: OAuthParams, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.run(req, res, body);
  }

  @Post('courses/:courseId')
  @HttpCode(200)
  launchCourse(@Param('courseId') courseId: string, @Body() body: OAuthParams, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.run(req, res, body, courseId);
  }

  /** An LMS (or an admin checking the URL) that GETs a launch URL. */
  @Get(['launch', 'courses/:courseId'])
  page(@Res() res: Response): void {
    sendHtml(res, harmlessPage('SCORM course (LTI 1.1)'));
  }

  private async run(req: Request, res: Response, body: OAuthParams, courseId?: string): Promise<void> {
    const wait = await this.limiter.take(LTI11_LAUNCH_LIMIT, req.ip);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      throw new LtiError('lti11_launch_rate_limited', 'Too many launches from your network at once; wait a few seconds and open the activity again.', 429);
    }
    const ctx = await this.launches.launch(`${this.config.publicUrl}${req.originalUrl}`, body ?? {}, courseId);
    res.setHeader('Cache-Control', 'no-store');
    await this.handoff.handoff(ctx, res);
  }
}
