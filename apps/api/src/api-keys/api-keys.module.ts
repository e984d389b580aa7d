import { Module } from '@nestjs/common';
import { ApiKeyAuthenticator } from './api-key.authenticator.js';
import { CreateApiKeyHandler } from './create-api-key.handler.js';
import { EndApiKeyHandler } from './end-api-key.handler.js';
import { RotateApiKeyHandler } from './rotate-api-key.handler.js';
import { ApiKeysController } from './api-keys.controller.js';

/** `account.apiKeys.*`; exports the authenticator for the AuthGuard. */
@Module({
  controllers: [ApiKeysController],
  providers: [ApiKeyAuthenticator, CreateApiKeyHandler, RotateApiKeyHandler, EndApiKeyHandler],
  exports: [ApiKeyAuthenticator],
})
export class ApiKeysModule {}
