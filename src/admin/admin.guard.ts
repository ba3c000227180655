import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AdminTokenService } from './admin-token.service';
import { AppError } from '../common/errors';

/** Every `/api/*` route needs `Authorization: Bearer <admin token>` (DESIGN §2). */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly tokens: AdminTokenService) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) {
      throw new AppError('unauthorized', 'This route needs the admin token as "Authorization: Bearer <token>".', HttpStatus.UNAUTHORIZED);
    }
    if (!this.tokens.matches(match[1].trim())) {
      throw new AppError('unauthorized', 'The admin token is not valid.', HttpStatus.UNAUTHORIZED);
    }
    return true;
  }
}
