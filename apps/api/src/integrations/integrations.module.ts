import { Module, type DynamicModule } from '@nestjs/common';
import { GitHubOAuthClient, OctokitInstallationsSource, type GitHubInstallationsSource } from '#integrations';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { WorkspaceQueries } from '../workspaces/workspace.queries.js';
import { GITHUB_INSTALLATIONS, GitHubIntegrationService } from './github-integration.service.js';
import { GITHUB_OAUTH, GitHubOAuthController } from './github-oauth.controller.js';
import { IntegrationQueries } from './integration.queries.js';
import { IntegrationsController } from './integrations.controller.js';
import { InstallationRepositoriesController } from './installation-repositories.controller.js';
import { WorkspaceIntegrationsController } from './workspace-integrations.controller.js';

/** `integration.*` and `account.integrations.*`, and GitHub's OAuth flow that stores the token. */
@Module({})
export class IntegrationsModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: IntegrationsModule,
      // Global: installations (and their bindings) read the caller's GitHub token through its service.
      global: true,
      controllers: [IntegrationsController, InstallationRepositoriesController, WorkspaceIntegrationsController, GitHubOAuthController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: GITHUB_INSTALLATIONS, useValue: new OctokitInstallationsSource({ baseUrl: runtime.config.githubApiUrl }) satisfies GitHubInstallationsSource },
        { provide: GITHUB_OAUTH, useValue: runtime.config.githubOAuth ? new GitHubOAuthClient(runtime.config.githubOAuth) : null },
        GitHubIntegrationService,
        IntegrationQueries,
        WorkspaceQueries,
      ],
      exports: [GitHubIntegrationService, GITHUB_INSTALLATIONS],
    };
  }
}
