import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { sendHtml } from '../common/html';
import { PlayerLaunchService, renderHandoffPage } from '../player/player-launch.service';
import { INSTRUCTOR_VIEW_CSP, renderInstructorView } from './instructor-pages';
import { InstructorViewService } from './instructor-view.service';
import { ViewTokenService } from './view-token.service';

/**
 * The instructor view on the tool origin (src/lti/README.md, "The instructor view"), opened by an
 * instructor's launch: `GET /lti/instructor/<token>` shows the link's results, `POST …/preview`
 * opens the instructor's preview attempt in the player. The token is the whole authorisation.
 */
@ApiExcludeController()
@Controller('lti/instructor')
export class InstructorController {
  constructor(
    private readonly tokens: ViewTokenService,
    private readonly views: InstructorViewService,
    private readonly player: PlayerLaunchService,
  ) {}

  @Get(':token')
  async view(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const claims = await this.tokens.verify(token);
    const view = await this.views.view(claims);
    const self = `/lti/instructor/${token}`;
    noStore(res);
    res.setHeader('Content-Security-Policy', INSTRUCTOR_VIEW_CSP);
    sendHtml(res, renderInstructorView(view, { self, preview: `${self}/preview`, expiresAt: new Date(claims.exp * 1000).toISOString() }));
  }

  /** A fresh one-time player URL for the instructor's preview attempt (a launch code lives about a minute, so it is made on the click). */
  @Post(':token/preview')
  @HttpCode(200)
  async preview(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const claims = await this.tokens.verify(token);
    await this.views.authorise(claims);
    const url = await this.player.playerUrlOf(claims.previewAttemptId);
    noStore(res);
    sendHtml(res, renderHandoffPage(url));
  }
}

/** The view's address is its credential: never cached, never sent on as a Referer. */
function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}
