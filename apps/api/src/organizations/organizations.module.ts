import { Module, type DynamicModule } from '@nestjs/common';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
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
@Module({})
export class OrganizationsModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: OrganizationsModule,
      global: true,
      controllers: [OrganizationsController, ClerkWebhooksController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: ORGANIZATION_DIRECTORY, useValue: organizationDirectoryFor(runtime.config) },
        OrganizationWriter,
        OrganizationQueries,
        MembershipResolver,
        OrgAccess,
      ],
      exports: [OrgAccess, OrganizationWriter],
    };
  }
}
