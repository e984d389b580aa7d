import { Global, Module } from '@nestjs/common';
import { CONFIG, type ConsoleConfig } from '#runtime';
import { OrgAccess } from '../auth/org-access.js';
import { ClerkWebhooksController } from './clerk-webhooks.controller.js';
import { MembershipResolver } from './membership-resolver.js';
import { ORGANIZATION_DIRECTORY, organizationDirectoryFor } from './organization-directory.js';
import { OrganizationQueries } from './organization.queries.js';
import { OrganizationWriter } from './organization-writer.js';
import { OrganizationsController } from './organizations.controller.js';

/**
 * `organization.*`, `clerk.*`, Clerk webhooks, and the authorization every `{org}` route uses.
 * Global, so there is one `OrgAccess` (with one membership cache and one single-flight map) for
 * all feature modules, which inject it without importing this module.
 */
@Global()
@Module({
  controllers: [OrganizationsController, ClerkWebhooksController],
  providers: [
      { provide: ORGANIZATION_DIRECTORY, inject: [CONFIG], useFactory: (config: ConsoleConfig) => organizationDirectoryFor(config) },
    OrganizationWriter,
    OrganizationQueries,
    MembershipResolver,
    OrgAccess,
  ],
  exports: [OrgAccess, OrganizationWriter],
})
export class OrganizationsModule {}
