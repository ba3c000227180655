import { Module } from '@nestjs/common';
import { SecretsModule } from '../secrets/secrets.module';
import { AdminTokenService } from './admin-token.service';
import { AdminGuard } from './admin.guard';
import { ConsoleSessionService } from './console-session.service';
import { SessionRevocationsRepository } from './session-revocations.repository';

/**
 * Who may use the admin API: the admin token and the console's sign-in session, both checked by
 * `AdminGuard`. Every module with an admin route imports this one.
 */
@Module({
  imports: [SecretsModule],
  providers: [AdminTokenService, AdminGuard, ConsoleSessionService, SessionRevocationsRepository],
  exports: [AdminTokenService, AdminGuard, ConsoleSessionService],
})
export class AdminModule {}
