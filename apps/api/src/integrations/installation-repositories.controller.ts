import { Controller, Get, HttpStatus, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { parse } from 'yaml';
import { readRepositoryConfigFile, type GitHubAppClients, type InstallationRepository, type Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { requireSessionPrincipal } from '../api-keys/api-key.authenticator.js';
import { ApiError, notFound } from '../common/api-error.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { GITHUB_APP_CLIENTS } from '../github/github-app.module.js';
import { GitHubIntegrationService } from './github-integration.service.js';
import { IntegrationQueries } from '#read-models';

/** The original refused a config file over 50 KB. */
const MAX_CONFIG_BYTES = 50 * 1024;
const GITHUB_NAME = /^[A-Za-z0-9._-]{1,100}$/;

export class ConfigQuery extends ConsistentQuery {
  /** As the original: letters, digits, `.`, `_`, `/`, `-`. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @Matches(/^[a-zA-Z0-9._/-]+$/, { message: 'ref: only letters, digits, ".", "_", "/" and "-"' })
  ref?: string;
}

const notConfigured = () =>
  new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'github_not_configured', 'GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY are not set');

/**
 * `integration.github.repositories` and `integration.github.detectConfig`: what one of the caller's
 * installations lets the caller see. The list is read with the caller's own GitHub token
 * (`/user/installations/{id}/repositories`: GitHub intersects the installation's repositories with
 * the user's access), never with the App's, so nobody is shown a repository GitHub would hide from
 * them. The installation must be one the caller's GitHub integration lists (another user's
 * integration, or an installation it does not list, is a 404). Every page is read (the original
 * read only the first), cached a minute per user and installation.
 */
@ApiTags('Integrations')
@Controller('v1/me/integrations/:id/installations/:installationId/repositories')
export class InstallationRepositoriesController {
  constructor(
    private readonly queries: IntegrationQueries,
    private readonly service: GitHubIntegrationService,
    @Inject(GITHUB_APP_CLIENTS) private readonly github: GitHubAppClients | null,
  ) {}

  @ApiOperation({ summary: 'Repositories an installation shows you (integration.github.repositories)' })
  @Get()
  @ReadsFrom('integrations')
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('installationId') installationId: string,
    @Query() _query: ConsistentQuery,
  ) {
    const repositories = await this.visibleRepositories(principal, id, installationId);
    return repositories.map((r) => ({
      id: r.id,
      name: r.name,
      fullName: r.fullName,
      owner: r.ownerLogin,
      description: r.description,
      defaultBranch: r.defaultBranch,
      isPrivate: r.private,
      isArchived: r.archived,
      url: r.htmlUrl,
      language: r.language,
      stargazersCount: r.stargazersCount,
      updatedAt: r.updatedAt,
    }));
  }

  /**
   * `{exists: true, path, content, sha}` or `{exists: false}`, from one root listing and one file
   * read. A file over 50 KB or not YAML is the repository's problem, not the request's: 422.
   */
  @ApiOperation({ summary: "Read a repository's lightfast.yml (integration.github.detectConfig)" })
  @Get(':owner/:repo/config')
  @ReadsFrom('integrations')
  async config(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('installationId') installationId: string,
    @Param('owner') owner: string,
    @Param('repo') repo: string,
    @Query() query: ConfigQuery,
  ) {
    if (!GITHUB_NAME.test(owner) || !GITHUB_NAME.test(repo))
      throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid_request', 'owner and repo must be GitHub names', {
        fields: [{ field: GITHUB_NAME.test(owner) ? 'repo' : 'owner', message: 'not a GitHub name' }],
      });
    // Only a repository the caller's own token sees through this installation is read for them.
    const visible = await this.visibleRepositories(principal, id, installationId);
    if (!visible.some((r) => r.fullName.toLowerCase() === `${owner}/${repo}`.toLowerCase())) throw notFound('Repository');
    if (!this.github) throw notConfigured();
    const file = await readRepositoryConfigFile(this.github.forInstallation(installationId), {
      owner,
      repo,
      ...(query.ref ? { ref: query.ref } : {}),
    });
    if (!file) return { exists: false };
    if (file.size > MAX_CONFIG_BYTES)
      throw new ApiError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'invalid_config',
        `${file.path} is ${file.size} bytes; at most ${MAX_CONFIG_BYTES} are read`,
      );
    try {
      parse(file.text);
    } catch (error) {
      throw new ApiError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'invalid_config',
        `${file.path} is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      );
    }
    return { exists: true, path: file.path, content: file.text, sha: file.sha };
  }

  private async visibleRepositories(
    principal: Principal,
    integrationId: string,
    installationId: string,
  ): Promise<InstallationRepository[]> {
    const { userId } = requireSessionPrincipal(principal);
    const integration = await this.queries.github(userId);
    if (!integration || integration.id !== integrationId || !integration.isActive) throw notFound('Integration');
    if (!integration.installations.some((installation) => installation.id === installationId)) throw notFound('Installation');
    return this.service.visibleRepositories(userId, installationId);
  }
}
