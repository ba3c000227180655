import { Module } from '@nestjs/common';
import { AddressRateLimiter } from './rate-limiter';
import { RateLimitsRepository } from './rate-limits.repository';

/** Rate limits per client address, shared by every instance on the database (LTI 1.3 login, LTI 1.1 launch, console sign-in). */
@Module({ providers: [AddressRateLimiter, RateLimitsRepository], exports: [AddressRateLimiter] })
export class RateLimitsModule {}
