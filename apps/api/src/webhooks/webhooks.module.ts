import { Module } from '@nestjs/common';
import { DeactivateRemovedRepositoriesHandler } from './deactivate-removed-repositories.handler.js';
import { IngestGitHubPushHandler } from './github-push.handler.js';
import { GitHubWebhooksController } from './github-webhooks.controller.js';
import { MarkRepositoryDeletedHandler } from './mark-repository-deleted.handler.js';
import { RenameRepositoryHandler } from './rename-repository.handler.js';
import { UnbindDeletedInstallationHandler } from './unbind-deleted-installation.handler.js';

/** `POST /v1/webhooks/github`: signature-verified GitHub App deliveries, each acted on once. */
@Module({
  controllers: [GitHubWebhooksController],
  providers: [
    IngestGitHubPushHandler,
    DeactivateRemovedRepositoriesHandler,
    UnbindDeletedInstallationHandler,
    MarkRepositoryDeletedHandler,
    RenameRepositoryHandler,
  ],
})
export class WebhooksModule {}
