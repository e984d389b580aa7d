import { HttpStatus, Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { gitHubSetupCommandIdFor } from '#domain';
import type { Principal } from '#adapters';
import { TOKEN_CIPHER, type Cipher } from '#runtime';
import { OrgAccess } from '../auth/org-access.js';
import { ApiError } from '../common/api-error.js';
import { parseSetupSubject, setupState } from './github-setup-state.js';
import { InstallationBindings } from './installation-bindings.js';
import { GITHUB_ID } from './installations.dto.js';

export interface SetupBinding {
  readonly installed: true;
  readonly organizationId: string;
  readonly installationId: string;
  readonly accountLogin: string;
  readonly created: boolean;
  readonly position: string | null;
}

/** What GitHub's redirect to the setup URL carries: both forgeable, so both are checked. */
export class BindSetupInstallationCommand extends Command<SetupBinding> {
  constructor(
    readonly installationId: string | undefined,
    readonly state: string | undefined,
  ) {
    super();
  }
}

/**
 * The `installation_id` of the setup redirect is trusted only when the installing member's own
 * GitHub token lists the installation (GitHub's advice for setup URLs); then the organization the
 * signed state names owns it (`GitHubInstallationBound`, via `app_setup`).
 */
@CommandHandler(BindSetupInstallationCommand)
export class BindSetupInstallationHandler implements ICommandHandler<BindSetupInstallationCommand> {
  constructor(
    @Inject(TOKEN_CIPHER) private readonly cipher: Cipher,
    private readonly access: OrgAccess,
    private readonly bindings: InstallationBindings,
  ) {}

  async execute({ installationId, state }: BindSetupInstallationCommand): Promise<SetupBinding> {
    const { userId: subject, nonce } = setupState(this.cipher).verify(state);
    const { organizationId, userId } = parseSetupSubject(subject);
    if (!installationId || !GITHUB_ID.test(installationId))
      throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid_request', 'installation_id: GitHub sent no installation id');
    // Still a member now (the state may be minutes old): the same check every org route makes.
    const principal: Principal = { userId, organizationId: null, organizationSlug: null, role: null };
    await this.access.requireOrgById(principal, organizationId);
    const context = { commandId: gitHubSetupCommandIdFor(nonce, installationId), userId };
    const outcome = await this.bindings
      .bindOnUserToken(organizationId, userId, installationId, 'app_setup', context)
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.getStatus() === 404) {
          throw new ApiError(
            HttpStatus.FORBIDDEN,
            'installation_not_verified',
            'Your GitHub account does not list this installation; connect GitHub (GET /v1/github/auth) and try again',
          );
        }
        throw error;
      });
    return {
      installed: true,
      organizationId,
      installationId,
      accountLogin: outcome.binding.accountLogin,
      created: outcome.created,
      position: outcome.position,
    };
  }
}
