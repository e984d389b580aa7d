import { Global, Module } from '@nestjs/common';
import { CONFIG, type ConsoleConfig } from '#runtime';
import { OrgAccess } from '../auth/org-access.js';
import { AddMemberHandler } from './add-member.handler.js';
import { ClerkWebhooksController } from './clerk-webhooks.controller.js';
import { CreateOrganizationHandler } from './create-organization.handler.js';
import { GitHubOrganizationMembership } from './github-organization-membership.js';
import { MembershipResolver } from './membership-resolver.js';
import { ORGANIZATION_DIRECTORY, organizationDirectoryFor } from './organization-directory.js';
import { OrganizationStreams } from './organization-streams.js';
import { OrganizationsController } from './organizations.controller.js';
import { RecordClerkMembershipHandler } from './record-clerk-membership.handler.js';
import { RecordClerkOrganizationHandler } from './record-clerk-organization.handler.js';
import { RemoveClerkMembershipHandler } from './remove-clerk-membership.handler.js';
import { RenameOrganizationHandler } from './rename-organization.handler.js';

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
    OrganizationStreams,
    MembershipResolver,
    OrgAccess,
    GitHubOrganizationMembership,
    CreateOrganizationHandler,
    RenameOrganizationHandler,
    AddMemberHandler,
    RecordClerkOrganizationHandler,
    RecordClerkMembershipHandler,
    RemoveClerkMembershipHandler,
  ],
  exports: [OrgAccess, OrganizationStreams, ORGANIZATION_DIRECTORY],
})
export class OrganizationsModule {}
