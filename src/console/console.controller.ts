import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AdminGuard } from '../admin/admin.guard';
import { AdminTokenService } from '../admin/admin-token.service';
import { AppError } from '../common/errors';
import { ASSET_NAME, loadConsoleAssets, TOOL_ICON } from './console-assets';
import { ConsoleSessionService } from '../admin/console-session.service';
import { SignInBody } from './sign-in.dto';
import { AddressRateLimiter, CONSOLE_SIGN_IN_LIMIT } from '../rate-limits/rate-limiter';
import { ConsoleService, CourseStatsDto, PreviewDto } from './console.service';

/**
 * Console pages: no inline script or style, nothing from another origin, never framed. Course content
 * is never shown here (previews open the content origin), so the console has no reason to load it.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** A day: the icon's bytes change only with a release, and the ETag lets a cache check cheaply after that. */
const ICON_CACHE = 'public, max-age=86400';

/** The web console for content owners and LMS admins (issue 5), served from the app origin. */
@Controller()
export class ConsoleController {
  private readonly assets = loadConsoleAssets();

  constructor(
    private readonly sessions: ConsoleSessionService,
    private readonly tokens: AdminTokenService,
    private readonly consoleService: ConsoleService,
    private readonly limiter: AddressRateLimiter,
  ) {}

  @Get()
  root(@Res() res: Response): void {
    res.redirect(302, '/console/');
  }

  /** The console's one page (`/console/`; the pages inside are `#/…` routes of console.js). */
  @Get('console')
  page(@Req() req: Request, @Res() res: Response): void {
    if (!req.originalUrl.split('?')[0].endsWith('/')) {
      res.redirect(302, '/console/');
      return;
    }
    this.sendFile(req, res, 'index.html', 'no-store');
  }

  @Get('console/assets/:file')
  asset(@Param('file') file: string, @Req() req: Request, @Res() res: Response): void {
    if (!ASSET_NAME.test(file)) {
      throw new AppError('asset_not_found', 'No such console file.', HttpStatus.NOT_FOUND);
    }
    this.sendFile(req, res, file, 'no-cache');
  }

  /** Browsers ask for /favicon.ico on any page without an icon link (the API docs, error pages): the console's icon. */
  @Get('favicon.ico')
  favicon(@Req() req: Request, @Res() res: Response): void {
    this.sendFile(req, res, 'favicon.svg', 'no-cache');
  }

  /**
   * The tool's icon (`TOOL_ICON`): public, cached a day by browsers and LMS proxies, revalidated by ETag.
   * Other origins show it (an LMS's activity chooser), so it is not limited to this site.
   */
  @Get(TOOL_ICON.svg.path.slice(1))
  iconSvg(@Req() req: Request, @Res() res: Response): void {
    this.sendIcon(req, res, TOOL_ICON.svg.file);
  }

  @Get(TOOL_ICON.png.path.slice(1))
  iconPng(@Req() req: Request, @Res() res: Response): void {
    this.sendIcon(req, res, TOOL_ICON.png.file);
  }

  /** Whether the browser has a console session, and the CSRF token its page must send back. */
  @Get('console/session')
  async session(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<{ signedIn: boolean; csrfToken?: string; expiresAt?: string }> {
    res.setHeader('Cache-Control', 'no-store');
    const s = await this.sessions.read(req);
    return s ? { signedIn: true, csrfToken: s.csrfToken, expiresAt: new Date(s.expiresAt * 1000).toISOString() } : { signedIn: false };
  }

  /**
   * Sign in: exchanges the admin token for the session cookie (docs/architecture.md). JSON only, so a cross-site
   * form cannot log a browser into someone else's session, and the Origin must be this app.
   */
  @Post('console/session')
  @HttpCode(200)
  async signIn(@Req() req: Request, @Body() body: SignInBody, @Res({ passthrough: true }) res: Response): Promise<{ signedIn: true; csrfToken: string; expiresAt: string }> {
    res.setHeader('Cache-Control', 'no-store');
    this.sessions.checkOrigin(req);
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      throw new AppError('json_required', 'Send the admin token as JSON: {"token": "…"}.', HttpStatus.UNSUPPORTED_MEDIA_TYPE);
    }
    const wait = await this.limiter.take(CONSOLE_SIGN_IN_LIMIT, req.ip);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      throw new AppError('sign_in_rate_limited', `Too many sign-ins from your address; wait ${wait} s and try again.`, HttpStatus.TOO_MANY_REQUESTS);
    }
    if (!this.tokens.matches(body.token.trim())) {
      throw new AppError('unauthorized', 'That is not the admin token. It is ADMIN_TOKEN, or the one printed in the server log at first start.', HttpStatus.UNAUTHORIZED);
    }
    const { session, cookie } = await this.sessions.create();
    res.append('Set-Cookie', cookie);
    return { signedIn: true, csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt * 1000).toISOString() };
  }

  /** Sign out: needs the session's CSRF token, so another site cannot sign the admin out either. */
  @Delete('console/session')
  @HttpCode(204)
  async signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    const s = await this.sessions.read(req);
    if (s && (await this.sessions.authenticate(req))) {
      await this.sessions.revoke(s);
    }
    res.append('Set-Cookie', this.sessions.clearCookie());
  }

  @Post('api/courses/:id/preview')
  @HttpCode(201)
  @UseGuards(AdminGuard)
  @ApiOperation({ summary: 'Start (or resume) a preview attempt as a test learner; answers a one-time player URL on the content origin. Never graded.' })
  preview(@Param('id') id: string): Promise<PreviewDto> {
    return this.consoleService.preview(id);
  }

  @Get('api/course-stats')
  @UseGuards(AdminGuard)
  @ApiOperation({ summary: 'Learners and attempts per course (previews excluded).' })
  stats(): Promise<CourseStatsDto[]> {
    return this.consoleService.courseStats();
  }

  private sendIcon(req: Request, res: Response, file: string): void {
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    this.sendFile(req, res, file, ICON_CACHE);
  }

  private sendFile(req: Request, res: Response, file: string, cache: string): void {
    const asset = this.assets.get(file);
    if (!asset) {
      throw new AppError('asset_not_found', 'No such console file.', HttpStatus.NOT_FOUND);
    }
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cache-Control', cache);
    res.setHeader('ETag', asset.etag);
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    res.type(asset.type).send(asset.body);
  }
}
