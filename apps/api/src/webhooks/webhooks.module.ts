import { Module } from '@nestjs/common';
import { GitHubPushHandler } from './github-push.handler.js';
import { GitHubRepositoryEventsHandler } from './github-repository-events.handler.js';
import { GitHubWebhooksController } from './github-webhooks.controller.js';

/** `POST /v1/webhooks/github`: signature-verified GitHub App deliveries, each acted on once. */
@Module({
  controllers: [GitHubWebhooksController],
  providers: [GitHubPushHandler, GitHubRepositoryEventsHandler],
})
export class WebhooksModule {}
