import { Global, Module } from '@nestjs/common';
import { GitHubOAuthClient, OctokitInstallationsSource, type GitHubInstallationsSource } from '#adapters';
import { CONFIG, type ConsoleConfig } from '#runtime';
import { CreateResourcesHandler } from './create-resources.handler.js';
import { DisconnectIntegrationHandler } from './disconnect-integration.handler.js';
import { GITHUB_INSTALLATIONS, GitHubIntegrationService } from './github-integration.service.js';
import { GITHUB_OAUTH, GitHubOAuthController } from './github-oauth.controller.js';
import { IntegrationsController } from './integrations.controller.js';
import { InstallationRepositoriesController } from './installation-repositories.controller.js';
import { StoreGitHubOAuthResultHandler } from './store-github-oauth-result.handler.js';
import { ValidateGitHubInstallationsHandler } from './validate-github-installations.handler.js';

/** `integration.*` and `account.integrations.*`: the user's own GitHub integration, and GitHub's OAuth flow that stores the token. */
@Global()
@Module({
  // Global: installations (and their bindings) and a workspace's sources read the caller's GitHub token through its service.
  controllers: [IntegrationsController, InstallationRepositoriesController, GitHubOAuthController],
  providers: [
    {
      provide: GITHUB_INSTALLATIONS,
      inject: [CONFIG],
      useFactory: (config: ConsoleConfig) =>
        new OctokitInstallationsSource({ baseUrl: config.githubApiUrl }) satisfies GitHubInstallationsSource,
    },
    {
      provide: GITHUB_OAUTH,
      inject: [CONFIG],
      useFactory: (config: ConsoleConfig) => (config.githubOAuth ? new GitHubOAuthClient(config.githubOAuth) : null),
    },
    GitHubIntegrationService,
    StoreGitHubOAuthResultHandler,
    ValidateGitHubInstallationsHandler,
    DisconnectIntegrationHandler,
    CreateResourcesHandler,
  ],
  exports: [GitHubIntegrationService, GITHUB_INSTALLATIONS],
})
export class IntegrationsModule {}
