import { Module } from '@nestjs/common';
import { PlainSql } from '../database/plain-sql';
import { AddressRateLimiter } from './rate-limiter';
import { MemoryRateCounters, RateCounters } from './rate-counters';
import { RateLimitsRepository } from './rate-limits.repository';

/**
 * Rate limits per client address (LTI 1.3 login, LTI 1.1 launch, console sign-in). The counters are
 * chosen once at start-up: rows every instance shares on PostgreSQL, this process's memory on SQLite
 * (one server process by design, so a login costs no upsert).
 */
@Module({
  providers: [
    AddressRateLimiter,
    { provide: RateCounters, inject: [PlainSql], useFactory: (plain: PlainSql): RateCounters => (plain.postgres ? new RateLimitsRepository(plain) : new MemoryRateCounters()) },
  ],
  exports: [AddressRateLimiter],
})
export class RateLimitsModule {}
