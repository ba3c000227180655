import { Module } from '@nestjs/common';
import { AttemptsService } from './attempts.service';
import { RuntimeController } from './runtime.controller';
import { RuntimeTokenService } from './runtime-token.service';

/**
 * Attempts and the runtime API. `ResultListener` (the grade seam) is injected optionally: the grades
 * module provides it globally; without it AttemptsService uses a no-op.
 */
@Module({
  controllers: [RuntimeController],
  providers: [AttemptsService, RuntimeTokenService],
  exports: [AttemptsService, RuntimeTokenService],
})
export class AttemptsModule {}
