import { Global, Module } from '@nestjs/common';
import { GitHubOAuthClient, OctokitInstallationsSource, type GitHubInstallationsSource } from '#adapters';
import { CONFIG, type ConsoleConfig } from '#runtime';
import { WorkspaceQueries } from '../workspaces/workspace.queries.js';
import { GITHUB_INSTALLATIONS, GitHubIntegrationService } from './github-integration.service.js';
import { GITHUB_OAUTH, GitHubOAuthController } from './github-oauth.controller.js';
import { IntegrationQueries } from './integration.queries.js';
import { IntegrationsController } from './integrations.controller.js';
import { InstallationRepositoriesController } from './installation-repositories.controller.js';
import { WorkspaceIntegrationsController } from './workspace-integrations.controller.js';

/** `integration.*` and `account.integrations.*`, and GitHub's OAuth flow that stores the token. */
@Global()
@Module({
  // Global: installations (and their bindings) read the caller's GitHub token through its service.
  controllers: [IntegrationsController, InstallationRepositoriesController, WorkspaceIntegrationsController, GitHubOAuthController],
  providers: [
      { provide: GITHUB_INSTALLATIONS, inject: [CONFIG], useFactory: (config: ConsoleConfig) => new OctokitInstallationsSource({ baseUrl: config.githubApiUrl }) satisfies GitHubInstallationsSource },
    { provide: GITHUB_OAUTH, inject: [CONFIG], useFactory: (config: ConsoleConfig) => config.githubOAuth ? new GitHubOAuthClient(config.githubOAuth) : null },
    GitHubIntegrationService,
    IntegrationQueries,
    WorkspaceQueries,
  ],
  exports: [GitHubIntegrationService, GITHUB_INSTALLATIONS],
})
export class IntegrationsModule {}
