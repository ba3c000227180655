import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AppError } from '../common/errors';
import type { CommitInput, CommitOutcome } from './commit-plan';
import { GroupCommitService } from './group-commit.service';
import { ScoLaunchService, type ScoLaunchState } from './sco-launch.service';
import { RuntimeTokenService } from './runtime-token.service';

/**
 * Reads a commit body in whatever content type arrived: JSON, text/plain holding JSON (sendBeacon),
 * or a form with a `payload` field (player/README.md: the terminate commit must not be lost to a content type).
 */
export function parseCommitBody(body: unknown): { input: CommitInput; token?: string } {
  let value: unknown = body;
  if (typeof value === 'string') {
    value = safeJson(value);
  } else if (value && typeof value === 'object' && typeof (value as Record<string, unknown>).payload === 'string' && !(value as Record<string, unknown>).cmi) {
    value = safeJson((value as Record<string, string>).payload);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError('commit_invalid', 'The commit body is not a JSON object.');
  }
  const { token, ...rest } = value as Record<string, unknown>;
  return { input: rest as unknown as CommitInput, token: typeof token === 'string' ? token : undefined };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('commit_invalid', 'The commit body is not valid JSON.');
  }
}

export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m ? m[1] : undefined;
}

/** The runtime API on the content origin, called by the player with its bearer token (never a cookie). */
@Controller('runtime/attempts/:attemptId/scos/:itemId')
export class RuntimeController {
  constructor(
    private readonly scos: ScoLaunchService,
    private readonly commits: GroupCommitService,
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
   * One commit; answers in scorm-again's result shape (`{ result: true, errorCode: 0 }`). The answer
   * is written straight to the socket (no ETag, no response pipeline): this is the hottest route, and
   * errors still go through the exception filter (they are thrown before anything is written).
   */
  @Post('commit')
  async commit(@Param('attemptId') attemptId: string, @Param('itemId') itemId: string, @Headers('authorization') auth: string | undefined, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const { input, token } = parseCommitBody(body);
    const claims = await this.tokens.verify(bearer(auth) ?? token);
    const outcome: CommitOutcome = await this.commits.commit(claims, attemptId, itemId, input);
    res.statusCode = HttpStatus.OK;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(outcome));
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
