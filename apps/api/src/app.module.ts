import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { WorkspaceAnalyticsController } from './analytics/workspace-analytics.controller.js';
import { WorkspaceAnalytics } from './analytics/workspace-analytics.service.js';
import { AuthGuard } from './auth/auth.guard.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { ConsistentReadInterceptor } from './consistency/consistent-read.interceptor.js';
import { ReadAccess } from './consistency/read-access.js';
import { GitHubAppModule } from './github/github-app.module.js';
import { HealthController } from './health/health.controller.js';
import { IntegrationsModule } from './integrations/integrations.module.js';
import { InstallationsModule } from './installations/installations.module.js';
import { JobQueries } from './jobs/job.queries.js';
import { JobsController } from './jobs/jobs.controller.js';
import { OrganizationsModule } from './organizations/organizations.module.js';
import { QuotasModule } from './quotas/quotas.module.js';
import { RateLimitsModule } from './rate-limits/rate-limits.module.js';
import { RepositoriesModule } from './repositories/repositories.module.js';
import { RUNTIME } from './runtime.tokens.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { SearchModule } from './search/search.module.js';
import { WorkspaceKeyAccess } from './search/workspace-key-access.js';
import { StoresModule } from './stores/stores.module.js';
import { WorkspaceQueries } from './workspaces/workspace.queries.js';
import { WorkspacesController } from './workspaces/workspaces.controller.js';
import type { Runtime } from '../../console/src/runtime.js';

@Module({})
export class ApiModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: ApiModule,
      imports: [GitHubAppModule.forRuntime(runtime), ApiKeysModule.forRuntime(runtime), IntegrationsModule.forRuntime(runtime), InstallationsModule.forRuntime(runtime), OrganizationsModule.forRuntime(runtime), QuotasModule.forRuntime(runtime), RateLimitsModule.forRuntime(runtime), RepositoriesModule.forRuntime(runtime), StoresModule.forRuntime(runtime), SearchModule.forRuntime(runtime), WebhooksModule.forRuntime(runtime)],
      controllers: [HealthController, WorkspacesController, WorkspaceAnalyticsController, JobsController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: ConsistentReadInterceptor },
        // The interceptor authorizes before it waits; WorkspaceKeyAccess is stateless, so its own instance here.
        ReadAccess,
        WorkspaceKeyAccess,
        WorkspaceQueries,
        JobQueries,
        WorkspaceAnalytics,
      ],
    };
  }
}
