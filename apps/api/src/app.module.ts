import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { WorkspaceAnalyticsController } from './analytics/workspace-analytics.controller.js';
import { WorkspaceAnalytics } from './analytics/workspace-analytics.service.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AccountModule } from './account/account.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { ConsistentReadInterceptor } from './consistency/consistent-read.interceptor.js';
import { ReadAccess } from './consistency/read-access.js';
import { GitHubAppModule } from './github/github-app.module.js';
import { HealthController } from './health/health.controller.js';
import { IntegrationsModule } from './integrations/integrations.module.js';
import { InstallationsModule } from './installations/installations.module.js';
import { CancelJobHandler } from './jobs/cancel-job.handler.js';
import { JobsController } from './jobs/jobs.controller.js';
import { OrganizationsModule } from './organizations/organizations.module.js';
import { OperatorModule } from './operator/operator.module.js';
import { QuotasModule } from './quotas/quotas.module.js';
import { RateLimitsModule } from './rate-limits/rate-limits.module.js';
import { RepositoriesModule } from './repositories/repositories.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { SearchModule } from './search/search.module.js';
import { WorkspaceKeyAccess } from './search/workspace-key-access.js';
import { StoresModule } from './document-stores/document-stores.module.js';
import { WorkspacesModule } from './workspaces/workspaces.module.js';
import { SourcesModule } from './sources/sources.module.js';
import { ReadModelsModule } from './read-models.module.js';
import { ReadCachesModule } from './common/read-caches.module.js';
import { RuntimeModule, type Runtime } from '#runtime';

@Module({})
export class ApiModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        RuntimeModule.forRuntime(runtime),
        ReadModelsModule,
        ReadCachesModule,
        CqrsModule.forRoot(),
        GitHubAppModule,
        ApiKeysModule,
        AccountModule,
        IntegrationsModule,
        InstallationsModule,
        OrganizationsModule,
        QuotasModule,
        RateLimitsModule,
        RepositoriesModule,
        StoresModule,
        SearchModule,
        WebhooksModule,
        WorkspacesModule,
        SourcesModule,
        OperatorModule,
      ],
      controllers: [HealthController, WorkspaceAnalyticsController, JobsController],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: ConsistentReadInterceptor },
        // The interceptor authorizes before it waits; WorkspaceKeyAccess is stateless, so its own instance here.
        ReadAccess,
        WorkspaceKeyAccess,
        CancelJobHandler,
        WorkspaceAnalytics,
      ],
    };
  }
}
