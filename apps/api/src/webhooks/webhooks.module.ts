import { Module, type DynamicModule } from '@nestjs/common';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { GitHubPushHandler } from './github-push.handler.js';
import { GitHubRepositoryEventsHandler } from './github-repository-events.handler.js';
import { GitHubWebhooksController } from './github-webhooks.controller.js';

/** `POST /v1/webhooks/github`: signature-verified GitHub App deliveries, each acted on once. */
@Module({})
export class WebhooksModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: WebhooksModule,
      controllers: [GitHubWebhooksController],
      providers: [{ provide: RUNTIME, useValue: runtime }, GitHubPushHandler, GitHubRepositoryEventsHandler],
    };
  }
}
