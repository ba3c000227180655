import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { AppConfig } from '../config/app-config';
import { AttemptLaunchService } from '../attempts/attempt-launch.service';
import { LaunchCodeService } from '../attempts/launch-code.service';
import { LaunchHandoff, LtiLaunchContext } from '../lti/protocol/launch-context';
import { html, SafeHtml, sendHtml } from '../common/html';

/**
 * After a validated LTI launch: resolve the attempt and send the browser to the player on the content
 * origin with a one-time, ~60 s launch code (docs/architecture.md). No cookie and no long-lived credential
 * travels in the URL; the runtime token is minted when the code is redeemed.
 */
@Injectable()
export class PlayerLaunchService extends LaunchHandoff {
  constructor(
    private readonly attempts: AttemptLaunchService,
    private readonly codes: LaunchCodeService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async handoff(ctx: LtiLaunchContext, res: Response): Promise<void> {
    const url = await this.playerUrl(ctx);
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    sendHtml(res, renderHandoffPage(url));
  }

  /** The one-time player URL for a launch (also used by tests that enter without an LMS). */
  async playerUrl(ctx: LtiLaunchContext): Promise<string> {
    const attempt = await this.attempts.resolveLaunch(ctx);
    return this.playerUrlOf(attempt.id, ctx.returnUrl);
  }

  /** A one-time player URL for an attempt that exists (an instructor's preview, opened from their view). */
  async playerUrlOf(attemptId: string, returnUrl?: string): Promise<string> {
    const code = await this.codes.createLaunchCode(attemptId, returnUrl);
    return `${this.config.contentUrl}/player/${code}`;
  }
}

/**
 * A 200 page that moves the browser on at once (meta refresh, no script needed) with a link as a
 * fallback: to the player (the URL holds only the one-time code; `data-player-url` lets tests follow
 * it) or, after an instructor's launch, to their results view on the tool origin (`data-instructor-url`).
 */
export function renderHandoffPage(url: string, to: 'player' | 'instructor view' = 'player'): SafeHtml {
  const title = to === 'player' ? 'Opening the course…' : 'Opening the results of this activity…';
  const link = to === 'player' ? html`<a href="${url}" data-player-url="${url}">Continue</a>` : html`<a href="${url}" data-instructor-url="${url}">Continue</a>`;
  return html`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${url}"><title>${title}</title></head>
<body><p>${title} ${link}</p></body></html>`;
}
