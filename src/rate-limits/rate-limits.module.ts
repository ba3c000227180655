import { Module } from '@nestjs/common';
import { AddressRateLimiter } from './rate-limiter';
import { RateLimitsRepository } from './rate-limits.repository';

/** Rate limits per client address, shared by every instance on the database (LTI login, console sign-in). */
@Module({ providers: [AddressRateLimiter, RateLimitsRepository], exports: [AddressRateLimiter] })
export class RateLimitsModule {}
