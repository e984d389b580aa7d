import type { DomainEvent } from '../core/event.js';

/**
 * How an organization came to own an installation, each a proof GitHub gave us, never a claim
 * from a request: `app_setup`, the App's setup callback with a state we signed for the organization
 * and the installing user, whose own token listed the installation; `member_token`, a member whose
 * GitHub token (`GET /user/installations`, read at that moment) listed it.
 */
export const INSTALLATION_BINDING_VIAS = ['app_setup', 'member_token'] as const;
export type InstallationBindingVia = (typeof INSTALLATION_BINDING_VIAS)[number];

export type GitHubInstallationBound = DomainEvent<
  'GitHubInstallationBound',
  {
    readonly organizationId: string;
    readonly installationId: string;
    readonly accountLogin: string;
    readonly accountType: 'User' | 'Organization';
    readonly via: InstallationBindingVia;
    readonly boundBy: string;
    readonly boundAt: string;
  }
>;

/** GitHub said the installation is gone (`installation.deleted`): the organization no longer owns it. */
export type GitHubInstallationUnbound = DomainEvent<
  'GitHubInstallationUnbound',
  { readonly organizationId: string; readonly installationId: string; readonly reason: string; readonly unboundAt: string }
>;

export type InstallationEvent = GitHubInstallationBound | GitHubInstallationUnbound;
export const INSTALLATION_EVENT_TYPES: readonly InstallationEvent['type'][] = ['GitHubInstallationBound', 'GitHubInstallationUnbound'];

/** Every installation an organization owns is on one stream: binding is decided without a read model. */
export const installationsStreamId = (organizationId: string) => `github-installations-${organizationId}`;
