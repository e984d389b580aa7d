import { Module, type DynamicModule } from '@nestjs/common';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimits } from './rate-limits.service.js';

/**
 * Global, so there is one set of counters per process (one Redis connection) and any feature
 * module can put `@RateLimit(…)` on a route without importing this module.
 */
@Module({})
export class RateLimitsModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: RateLimitsModule,
      global: true,
      providers: [{ provide: RUNTIME, useValue: runtime }, RateLimits, RateLimitGuard],
      exports: [RateLimits, RateLimitGuard],
    };
  }
}
