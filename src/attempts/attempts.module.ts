import { Module } from '@nestjs/common';
import { AttemptsService } from './attempts.service';
import { NoopResultListener, ResultListener } from './result-listener';
import { RuntimeController } from './runtime.controller';
import { RuntimeTokenService } from './runtime-token.service';

/**
 * Attempts and the runtime API. `ResultListener` is the grade seam: the grades module replaces the
 * no-op binding below with its outbox service.
 */
@Module({
  controllers: [RuntimeController],
  providers: [AttemptsService, RuntimeTokenService],
  exports: [AttemptsService, RuntimeTokenService],
})
export class AttemptsModule {}
