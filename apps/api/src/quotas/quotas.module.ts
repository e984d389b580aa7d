import { Global, Module } from '@nestjs/common';
import { Quotas } from './quotas.service.js';

/** Global: workspaces, API keys, repositories and webhooks all check quotas through one `Quotas`. */
@Global()
@Module({
  providers: [Quotas],
  exports: [Quotas],
})
export class QuotasModule {}
