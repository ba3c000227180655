import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { attemptResult, courseItems, type CourseResult } from '../scorm/result-rules';
import { CourseVersionCache } from './course-version-cache';
import { bearer } from './runtime-commits';
import { RuntimeTokenService } from './runtime-token.service';
import { checkScope } from './sco-lookup';
import { ScoStatesRepository } from './sco-states.repository';

/**
 * The attempt's course result as the bridge records it, as the grade and the console read it
 * (docs/scorm-rules.md "A course of several SCOs": SCORM 1.2 the SCOs' roll-up, SCORM 2004 with
 * sequencing the root activity after the server's rollup: `attemptResult`), for the player with its bearer token. A dispatch's
 * bridge page relays it to the LMS, which sees the whole course as one SCO (docs/dispatch.md).
 */
@Controller('runtime/attempts/:attemptId')
export class AttemptResultController {
  constructor(
    private readonly tokens: RuntimeTokenService,
    private readonly versions: CourseVersionCache,
    private readonly states: ScoStatesRepository,
  ) {}

  @Get('result')
  async result(@Param('attemptId') attemptId: string, @Headers('authorization') auth: string | undefined, @Res({ passthrough: true }) res: Response): Promise<CourseResult> {
    res.setHeader('Cache-Control', 'no-store');
    checkScope(await this.tokens.verify(bearer(auth)), attemptId);
    const { attempt, version } = await this.versions.attemptAndVersion(attemptId);
    return attemptResult(courseItems(version.manifest), await this.states.listPlayerStates(attemptId), attempt);
  }
}
