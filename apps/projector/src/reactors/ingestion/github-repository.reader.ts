import {
  IngestionError,
  UNCONFIGURED,
  evaluateConfigFile,
  pickConfigFile,
  repositoryToRead,
  type ConfigDetection,
  type IngestionJobInput,
  type TreeFile,
} from '#domain';
import {
  RepositoryTreeTooLarge,
  fetchBlobText,
  fetchFilesByQuery,
  readRepositoryTree,
  type FileAtCommit,
  type GitHubAppClients,
  type GitHubAppOctokit,
  type RepositoryTree,
} from '#adapters';
import type { IngestionSettings } from './ingestion.settings.js';

/** A job's reads of one repository at one ref, counted for its output and the GitHub calls metric. */
export class GitHubRepositoryReader {
  calls = 0;

  private constructor(
    private readonly octokit: GitHubAppOctokit,
    private readonly owner: string,
    private readonly repo: string,
    private readonly ref: string | undefined,
  ) {}

  static open(github: GitHubAppClients | null, input: IngestionJobInput): GitHubRepositoryReader {
    const { owner, repo, ref } = repositoryToRead(input);
    if (!github) throw new IngestionError('github_not_configured', 'GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY are not set');
    return new GitHubRepositoryReader(github.forInstallation(input.githubInstallationId), owner, repo, ref);
  }

  async readTree(settings: Pick<IngestionSettings, 'treeConcurrency' | 'maxTreeEntries'>): Promise<RepositoryTree> {
    const { octokit, owner, repo, ref } = this;
    const tree = await readRepositoryTree(octokit, {
      owner,
      repo,
      ref,
      concurrency: settings.treeConcurrency,
      maxEntries: settings.maxTreeEntries,
    }).catch((error: unknown) => {
      if (error instanceof RepositoryTreeTooLarge)
        throw new IngestionError(
          'tree_too_large',
          `${error.message}: this deployment reads at most ${error.maxEntries} entries per job (INGESTION_MAX_TREE_ENTRIES)`,
        );
      throw error;
    });
    this.calls += tree.requests;
    return tree;
  }

  /** The config file from the tree already read: its root entries, then one blob fetch. */
  async detectConfig(files: readonly TreeFile[]): Promise<ConfigDetection> {
    const root = files.filter((file) => !file.path.includes('/'));
    const path = pickConfigFile(root.map((file) => ({ name: file.path, type: 'file' })));
    if (!path) return UNCONFIGURED;
    const text = await fetchBlobText(this.octokit, {
      owner: this.owner,
      repo: this.repo,
      sha: root.find((file) => file.path === path)!.sha,
    });
    this.calls++;
    return evaluateConfigFile(path, text);
  }

  /**
   * Files of the commit read, by path: the blob's text (null for a blob GitHub calls binary) and the
   * time of the last commit that changed it, 50 files per GraphQL query.
   */
  async readFiles(files: readonly TreeFile[], commitSha: string): Promise<Map<string, FileAtCommit>> {
    const read = await fetchFilesByQuery(this.octokit, { owner: this.owner, repo: this.repo, commitSha, files });
    this.calls += read.queries;
    return read.files;
  }
}
