import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CommitOutcome } from './commit-plan';
import { GroupCommitService } from './group-commit.service';
import { bearer, parseCommitBody, RuntimeCommits, writeOutcome } from './runtime-commits';
import { ScoLaunchService, type ScoLaunchState } from './sco-launch.service';
import { RuntimeTokenService } from './runtime-token.service';

/** The runtime API on the content origin, called by the player with its bearer token (never a cookie). */
@Controller('runtime/attempts/:attemptId/scos/:itemId')
export class RuntimeController {
  constructor(
    private readonly scos: ScoLaunchService,
    private readonly commits: RuntimeCommits,
    private readonly tokens: RuntimeTokenService,
  ) {}

  /** The CMI data a SCO starts with (called by the player before each SCO launch). */
  @Get()
  async launch(@Param('attemptId') attemptId: string, @Param('itemId') itemId: string, @Headers('authorization') auth: string | undefined, @Res({ passthrough: true }) res: Response): Promise<ScoLaunchState> {
    res.setHeader('Cache-Control', 'no-store');
    const claims = await this.tokens.verify(bearer(auth));
    return this.scos.launchSco(claims, attemptId, itemId);
  }

  /**
   * One commit, when the content listener's lean path passed it on (runtime-commits.ts: another
   * content type or charset, a compressed body, a trailing slash); the rules are RuntimeCommits'.
   */
  @Post('commit')
  async commit(@Param('attemptId') attemptId: string, @Param('itemId') itemId: string, @Headers('authorization') auth: string | undefined, @Body() body: unknown, @Res() res: Response): Promise<void> {
    writeOutcome(res, await this.commits.commit(attemptId, itemId, auth, body));
  }
}

/** The player's sequencing state when no SCO commit carries it (src/player/bootstrap.types.ts `PlayerSequencing`). */
@Controller('runtime/attempts/:attemptId/sequencing')
export class RuntimeSequencingController {
  constructor(
    private readonly commits: GroupCommitService,
    private readonly tokens: RuntimeTokenService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  async save(@Param('attemptId') attemptId: string, @Headers('authorization') auth: string | undefined, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<CommitOutcome> {
    const { input, token } = parseCommitBody(body);
    const claims = await this.tokens.verify(bearer(auth) ?? token);
    res.setHeader('Cache-Control', 'no-store');
    return this.commits.saveSequencing(claims, attemptId, input as unknown as Record<string, unknown>);
  }
}
