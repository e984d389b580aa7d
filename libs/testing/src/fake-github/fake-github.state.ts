import type { IncomingMessage } from 'node:http';
import type { RepositoryPayload } from './github-payloads.js';
import { HostedRepositories } from './hosted-repositories.js';
import { bearer } from './http-replies.js';
import { RequestAccounting } from './request-accounting.js';

export interface FakeGitHubOptions {
  /** The largest `per_page` the paginated listings honour. */
  readonly pageSize?: number;
  /** Entries a tree listing returns before it answers `truncated: true` (GitHub: 100,000 when recursive). */
  readonly treeEntryLimit?: number;
  /** Bytes of entries a tree listing holds before it is truncated (GitHub: 7 MB), whichever limit comes first. */
  readonly treeByteLimit?: number;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
}

/** What more than one group of routes reads: installations and their tokens, hosted repositories, the counts. */
export class FakeGitHubState {
  /** Set once the server listens: links and `url` fields point at it. */
  baseUrl = '';
  readonly accounting = new RequestAccounting();
  /** The repositories each installation lists (`setInstallationRepositories`), by installation id. */
  readonly installationRepositories = new Map<string, RepositoryPayload[]>();
  /** Installation tokens issued, to the installation each acts for. */
  readonly installationTokens = new Map<string, string>();
  readonly hosted = new HostedRepositories();

  constructor(readonly options: FakeGitHubOptions) {}

  /** The installation whose token the request carries. */
  installationOf(request: IncomingMessage): string | undefined {
    const token = bearer(request);
    return token === undefined ? undefined : this.installationTokens.get(token);
  }

  /**
   * Whether an installation can read `owner/name`, as GitHub scopes its tokens: a repository it
   * lists (`setInstallationRepositories`), or any repository of an account it lists repositories of
   * (an installation on "all repositories" of that account). Another account's repository: no.
   */
  canRead(installationId: string, fullName: string): boolean {
    const listed = this.installationRepositories.get(installationId) ?? [];
    const owner = fullName.split('/')[0]!.toLowerCase();
    return listed.some(
      (candidate) =>
        candidate.full_name.toLowerCase() === fullName.toLowerCase() || candidate.full_name.split('/')[0]!.toLowerCase() === owner,
    );
  }

  /** How some installation lists `owner/name`, if one does. */
  listed(fullName: string): RepositoryPayload | undefined {
    return [...this.installationRepositories.values()]
      .flat()
      .find((candidate) => candidate.full_name.toLowerCase() === fullName.toLowerCase());
  }
}
