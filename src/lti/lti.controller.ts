import { Body, Controller, ExecutionContext, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { parseCookie } from 'cookie';
import type { Request, Response } from 'express';
import { AdminGuard } from '../admin/admin.guard';
import { sendHtml } from '../common/html';
import { AppConfig } from '../config/app-config';
import { CoursesService } from '../courses/courses.service';
import { TOOL_SCOPES } from './protocol/claims';
import { PickerSubmission } from './deep-linking/picker-submission.dto';
import { DeepLinkingService } from './deep-linking/deep-linking.service';
import { LaunchHandoff } from './protocol/launch-context';
import { LaunchService } from './launch/launch.service';
import { LoginService } from './login/login.service';
import { AddressRateLimiter, LTI_LOGIN_LIMIT } from '../rate-limits/rate-limiter';
import { LtiError } from './protocol/lti-error';
import { harmlessPage, redirect302, storageLaunchPage, storageLoginPage } from './protocol/pages';
import { RegistrationService } from './registration/registration.service';
import { registrationRefused } from './registration/registration-page';
import { sendPage, ToolPage } from './protocol/tool-page';
import { TOOL_ICON } from '../console/console-assets';

/**
 * Browser-facing LTI routes (docs/rest-api.md). Thin: each calls one service and picks the response type.
 * A refused message (`LtiError`) is answered by the exception filter: a readable page with its code.
 */
@Controller('lti')
export class LtiController {
  constructor(
    private readonly config: AppConfig,
    private readonly loginService: LoginService,
    private readonly launchService: LaunchService,
    private readonly deepLinking: DeepLinkingService,
    private readonly registration: RegistrationService,
    private readonly handoff: LaunchHandoff,
    private readonly courses: CoursesService,
    private readonly adminGuard: AdminGuard,
    private readonly limiter: AddressRateLimiter,
  ) {}

  @Get('login')
  loginGet(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.doLogin(query, req, res);
  }

  @Post('login')
  @HttpCode(200)
  loginPost(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.doLogin(body ?? {}, req, res);
  }

  @Post('launch')
  @HttpCode(200)
  async launch(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const outcome = await this.launchService.launch(body ?? {}, parseCookie(req.headers.cookie ?? ''), req.headers.origin);
    res.setHeader('Cache-Control', 'no-store');
    switch (outcome.kind) {
      case 'storage-check':
        sendHtml(
          res,
          storageLaunchPage({
            action: `${this.config.publicUrl}/lti/launch`,
            idToken: typeof body.id_token === 'string' ? body.id_token : '',
            state: outcome.state,
            storageTarget: outcome.storageTarget,
            platformOrigin: outcome.platformOrigin,
          }),
        );
        return;
      case 'deep-linking':
        sendPage(res, await this.deepLinking.start(outcome.platform, outcome.deploymentId, outcome.settings, outcome.where));
        return;
      case 'resource-link':
        await this.handoff.handoff(outcome.ctx, res);
        return;
    }
  }

  /** A platform (Moodle) GETs target link URIs without a login when an activity is saved. */
  @Get('launch')
  launchGet(@Res() res: Response): void {
    sendHtml(res, harmlessPage('SCORM LTI bridge'));
  }

  @Get('courses/:courseId')
  coursePage(@Param('courseId') _courseId: string, @Res() res: Response): void {
    sendHtml(res, harmlessPage('SCORM course'));
  }

  @Get('deep-link')
  deepLinkPage(@Res() res: Response): void {
    sendHtml(res, harmlessPage('SCORM course picker'));
  }

  @Post('deep-linking/respond')
  @HttpCode(200)
  async deepLinkingRespond(@Body() body: PickerSubmission, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    sendHtml(res, await this.deepLinking.respond(body));
  }

  @Get('register')
  register(@Query('openid_configuration') cfg: unknown, @Query('registration_token') token: unknown, @Res() res: Response): Promise<void> {
    return this.sendRegistration(res, () => this.registration.register(cfg, token));
  }

  /** A customer's registration link: the token is a path segment the LMS keeps as pasted (see `RegistrationLinksService`). */
  @Get('register/:linkToken')
  async registerForCustomer(
    @Param('linkToken') linkToken: string,
    @Query('openid_configuration') cfg: unknown,
    @Query('registration_token') token: unknown,
    @Res() res: Response,
  ): Promise<void> {
    return this.sendRegistration(res, () => this.registration.register(cfg, token, linkToken));
  }

  /** The outcome page, or the refusal as a readable page that also offers Close (the LMS waits for it). */
  private async sendRegistration(res: Response, run: () => Promise<ToolPage>): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    let page: ToolPage;
    try {
      page = await run();
    } catch (e) {
      throw registrationRefused(e);
    }
    sendPage(res, page);
  }

  /**
   * Every value an LMS admin pastes (docs/rest-api.md). Public values only; the per-course target link URIs
   * are listed only for the admin (course titles are not public).
   */
  @Get('config')
  @HttpCode(200)
  @ApiOperation({ summary: 'The values to paste into an LMS (login URL, redirect URIs, JWKS URL, deep linking and dynamic registration URLs, scopes).' })
  async ltiConfig(@Req() req: Request): Promise<Record<string, unknown>> {
    const base = this.config.publicUrl;
    const out: Record<string, unknown> = {
      loginUrl: `${base}/lti/login`,
      redirectUris: [`${base}/lti/launch`],
      jwksUrl: `${base}/.well-known/jwks.json`,
      deepLinkingUrl: `${base}/lti/deep-link`,
      dynamicRegistrationUrl: `${base}/lti/register`,
      targetLinkUri: `${base}/lti/launch`,
      targetLinkUriTemplate: `${base}/lti/courses/{courseId}`,
      lti11LaunchUrlTemplate: `${base}/lti/1p1/courses/{courseId}`,
      iconUrl: `${base}${TOOL_ICON.png.path}`,
      scopes: TOOL_SCOPES,
    };
    if (await this.isAdmin(req)) {
      out.courses = (await this.courses.list()).map((c) => ({ id: c.id, title: c.title, targetLinkUri: `${base}/lti/courses/${encodeURIComponent(c.id)}` }));
    }
    return out;
  }

  /** Same rule as /api/* (admin bearer token or console session), without refusing the request. */
  private async isAdmin(req: Request): Promise<boolean> {
    const ctx = { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
    try {
      return await this.adminGuard.canActivate(ctx);
    } catch {
      return false;
    }
  }

  private async doLogin(params: Record<string, unknown>, req: Request, res: Response): Promise<void> {
    const wait = await this.limiter.take(LTI_LOGIN_LIMIT, req.ip);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      throw new LtiError('lti_login_rate_limited', 'Too many sign-ins from your network at once; wait a few seconds and open the activity again.', 429);
    }
    const result = await this.loginService.login(params);
    res.setHeader('Cache-Control', 'no-store');
    res.append('Set-Cookie', result.cookie);
    if (result.kind === 'redirect') {
      redirect302(res, result.url);
      return;
    }
    sendHtml(
      res,
      storageLoginPage({
        authUrl: result.url,
        state: result.state,
        binding: result.binding,
        storageTarget: result.storageTarget,
        platformOrigin: result.platformOrigin,
      }),
    );
  }
}
