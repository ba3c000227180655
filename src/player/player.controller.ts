import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { LaunchCodeService } from '../attempts/launch-code.service';
import { pickStartItem } from '../attempts/sco-launch.service';
import { RuntimeTokenService } from '../attempts/runtime-token.service';
import { SequencingStateService } from '../attempts/sequencing-state.service';
import { ContentGrantService, encodePath } from '../content/content-grant.service';
import type { CourseVersion } from '../courses/course-version.entity';
import { sendHtml } from '../common/html';
import { itemIndex } from '../scorm/manifest-items';
import { PLAYER_CSP, PLAYER_SCRIPTS, PlayerBootstrap, renderPlayerPage } from './player-page';

/** Where `node player/build.mjs` writes the browser runtimes (same relative path from src/ and dist/). */
export const PLAYER_DIST = path.resolve(__dirname, '../../player/dist');

/** A SCO of a course version as the player page lists it (grant prefix left out). */
interface VersionSco {
  itemId: string;
  title: string;
  depth: number;
  /** An absolute http(s) launch URL is used as it is; else launchPath is encoded and goes under the grant. */
  absolute: boolean;
  launchPath: string;
  scormType: 'sco' | 'asset';
  isVisible: boolean;
  hideLmsUi: string[];
}

/** The player shell and its script, on the content origin only (docs/architecture.md). */
@Controller()
export class PlayerController {
  constructor(
    private readonly codes: LaunchCodeService,
    private readonly tokens: RuntimeTokenService,
    private readonly grants: ContentGrantService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly sequencing: SequencingStateService,
  ) {}

  /**
   * Redeems the one-time launch code and answers the player page with an inlined bootstrap: a
   * short-lived runtime token for this attempt only, the SCO list with granted launch URLs. No cookie.
   */
  @Get('player/:code')
  async page(@Param('code') code: string, @Res() res: Response): Promise<void> {
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const { attempt, returnUrl, version, states } = await this.codes.redeemForPlayer(code);
    const ttl = this.config.runtimeTokenTtlSeconds;
    const token = await this.tokens.issue(attempt.id, attempt.launchCount, ttl);
    const byItem = new Map(states.map((s) => [s.itemId, s]));
    // One grant prefix for the page: every SCO of a version shares it (same version, same expiry).
    const prefix = await this.grants.grantPrefix(version.id, ttl + 3600);
    const scos = this.scoList(version).map((sco) => ({
      itemId: sco.itemId,
      title: sco.title,
      depth: sco.depth,
      launchUrl: sco.absolute ? sco.launchPath : prefix + sco.launchPath,
      scormType: sco.scormType,
      isVisible: sco.isVisible,
      hideLmsUi: sco.hideLmsUi,
      completionStatus: byItem.get(sco.itemId)?.completionStatus ?? 'not attempted',
      successStatus: byItem.get(sco.itemId)?.successStatus ?? 'unknown',
    }));
    const bootstrap: PlayerBootstrap = {
      attemptId: attempt.id,
      token,
      tokenExpiresAt: this.clock.now() + ttl * 1000,
      scormVersion: version.scormVersion as '1.2' | '2004',
      title: version.manifest.title,
      preview: attempt.preview,
      returnUrl,
      runtimeBase: `/runtime/attempts/${attempt.id}`,
      startItemId: pickStartItem(version.manifest.scos, states),
      autocommitSeconds: 30,
      maxSuspendDataChars: this.config.maxSuspendDataChars,
      scos,
      sequencing: version.sequencing ? { settings: version.sequencing, state: await this.sequencing.playerState(attempt.id, attempt.learnerId, version) } : null,
    };
    res.setHeader('Content-Security-Policy', PLAYER_CSP);
    sendHtml(res, renderPlayerPage(bootstrap));
  }

  /** Course versions are immutable (docs/architecture.md): their SCO list is worked out once per version. */
  private readonly scoLists = new WeakMap<CourseVersion, VersionSco[]>();

  private scoList(version: CourseVersion): VersionSco[] {
    let list = this.scoLists.get(version);
    if (!list) {
      const items = itemIndex(version.manifest.items);
      list = version.manifest.scos.map((sco) => {
        const absolute = /^https?:\/\//i.test(sco.launchUrl);
        const walked = items.get(sco.itemId);
        return {
          itemId: sco.itemId,
          title: sco.title,
          depth: walked?.depth ?? 0,
          absolute,
          launchPath: absolute ? sco.launchUrl : encodePath(sco.launchUrl),
          scormType: sco.scormType,
          isVisible: sco.isVisible,
          hideLmsUi: walked?.item.hideLmsUi ?? [],
        };
      });
      this.scoLists.set(version, list);
    }
    return list;
  }

  /** The runtime of each SCORM version (one bundle each, player/build.mjs); the page names its own. */
  @Get(`player-assets/${PLAYER_SCRIPTS['1.2']}`)
  script12(@Res() res: Response): void {
    this.sendBundle(PLAYER_SCRIPTS['1.2'], res);
  }

  @Get(`player-assets/${PLAYER_SCRIPTS['2004']}`)
  script2004(@Res() res: Response): void {
    this.sendBundle(PLAYER_SCRIPTS['2004'], res);
  }

  private sendBundle(file: string, res: Response): void {
    const bundle = path.join(PLAYER_DIST, file);
    if (!fs.existsSync(bundle)) {
      throw new AppError('player_not_built', 'The player script is not built; run `npm run build:player`.', 503);
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/javascript').sendFile(bundle);
  }
}
