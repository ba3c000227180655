import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppError } from '../common/errors';
import { sendHtml } from '../common/html';
import { AppConfig } from '../config/app-config';
import { BRIDGE_CSP, renderBridgePage } from './bridge-page';
import { DispatchLaunchService } from './dispatch-launch.service';
import { DispatchLaunchBody } from './dispatch.dto';

/** Where `node player/build.mjs` writes the bridge page's script. */
export const DISPATCH_BRIDGE_BUNDLE = path.resolve(__dirname, '../../player/dist/dispatch-bridge.js');

/** The content-origin side of a dispatch: the page a package frames, and its launch (src/dispatch/README.md). */
@ApiExcludeController()
@Controller()
export class DispatchBridgeController {
  constructor(
    private readonly launches: DispatchLaunchService,
    private readonly config: AppConfig,
  ) {}

  /** The bridge page; a refused dispatch (unknown, revoked, customer suspended) is a readable page in the LMS frame. */
  @Get('dispatch/:token')
  async page(@Param('token') token: string, @Res() res: Response): Promise<void> {
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const row = await this.launches.openable(token);
    res.setHeader('Content-Security-Policy', BRIDGE_CSP);
    sendHtml(res, renderBridgePage({ launchUrl: `/dispatch/${token}/launch`, title: row.title }));
  }

  /**
   * Called by the bridge page's script (same origin) with the LMS learner: the licence checks, the
   * attempt, a one-time player URL. A request from another origin is refused.
   */
  @Post('dispatch/:token/launch')
  @HttpCode(200)
  launch(@Param('token') token: string, @Body() body: DispatchLaunchBody, @Headers('origin') origin: string | undefined): Promise<{ playerUrl: string }> {
    if (origin !== undefined && origin !== new URL(this.config.contentUrl).origin) {
      throw new AppError('cross_origin_refused', 'A dispatch is launched only by its bridge page.', HttpStatus.FORBIDDEN);
    }
    return this.launches.launch(token, body);
  }

  @Get('player-assets/dispatch-bridge.js')
  script(@Res() res: Response): void {
    if (!fs.existsSync(DISPATCH_BRIDGE_BUNDLE)) {
      throw new AppError('player_not_built', 'The dispatch bridge script is not built; run `npm run build:player`.', HttpStatus.SERVICE_UNAVAILABLE);
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/javascript').sendFile(DISPATCH_BRIDGE_BUNDLE);
  }
}
