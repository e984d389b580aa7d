import { Global, Module } from '@nestjs/common';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimits } from './rate-limits.service.js';

/**
 * Global, so there is one set of counters per process (one Redis connection) and any feature
 * module can put `@RateLimit(…)` on a route without importing this module.
 */
@Global()
@Module({
  providers: [RateLimits, RateLimitGuard],
  exports: [RateLimits, RateLimitGuard],
})
export class RateLimitsModule {}
