import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AdminTokenService } from './admin-token.service';
import { AppError } from '../common/errors';
import { ConsoleSessionService } from './console-session.service';

/** Every `/api/*` route needs `Authorization: Bearer <admin token>` or a console session cookie (docs/architecture.md). */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(
    private readonly tokens: AdminTokenService,
    private readonly sessions: ConsoleSessionService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match && (await this.sessions.authenticate(req))) {
      return true; // console session cookie (CSRF-checked for state-changing methods)
    }
    if (!match) {
      throw new AppError('unauthorized', 'This route needs the admin token as "Authorization: Bearer <token>".', HttpStatus.UNAUTHORIZED);
    }
    if (!this.tokens.matches(match[1].trim())) {
      throw new AppError('unauthorized', 'The admin token is not valid.', HttpStatus.UNAUTHORIZED);
    }
    return true;
  }
}
