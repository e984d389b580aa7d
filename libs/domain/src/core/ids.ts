import { v5 as uuidv5 } from 'uuid';

// Every id derived from its input, in one place. Stored streams and rows hold these ids, so a
// namespace or an input string that changes orphans them: never edit one, add a new function.
// ids.spec.ts pins one output of each.

const EVENT_ID_NAMESPACE = '6f1c1f0e-2b7a-4c8e-9a51-3d0f6b3c2a11';
const IDEMPOTENCY_NAMESPACE = 'b3c0a7e4-5d1f-4e0b-8f3a-2c6d9e1f4a70';
/** Shared by the reindex job id and the connected repository's id (both derived from a command id). */
const REQUEST_NAMESPACE = '0d7e3f52-6a1b-4c89-b0f4-9e2a5c7d3b18';
const GITHUB_SETUP_NAMESPACE = '9b6f3c1e-42d8-4a7e-b1c5-7e0d2f8a6c93';
const GITHUB_OAUTH_CALLBACK_NAMESPACE = '2f0c6f4e-7d3a-4b1e-9c55-8a1d0e6b9f31';
const DEFAULT_WORKSPACE_NAMESPACE = '0d4e2c51-7f0a-4b3e-9c61-5a8f2e7d1b94';
const INGESTION_JOB_NAMESPACE = '2b7f4c1e-8d3a-4f6b-a1c9-5e0d7b3f2a64';
const DOCUMENT_NAMESPACE = '6f1c2b8e-3d4a-4e5f-9a7b-1c2d3e4f5a6b';
const SEED_JOB_NAMESPACE = '0d7f1e9c-3a52-4b8e-a1f6-5c2e7d9b4f30';

/** The n-th event of a command: the same command appended twice collides on its event ids. */
export const eventIdFor = (commandId: string, index: number) => uuidv5(`${commandId}:${index}`, EVENT_ID_NAMESPACE);

/** The command id of a request with an `Idempotency-Key`: the caller's retry names the same command. */
export const idempotentCommandIdFor = (userId: string | undefined, idempotencyKey: string) =>
  uuidv5(`${userId ?? ''}:${idempotencyKey}`, IDEMPOTENCY_NAMESPACE);

/** The reindex job id of a command: a retry with the same Idempotency-Key names the same job. */
export const reindexJobIdFor = (commandId: string) => uuidv5(`reindex:${commandId}`, REQUEST_NAMESPACE);

/** A new repository's id; a retried connect names the same repository. */
export const repositoryIdFor = (commandId: string) => uuidv5(`repository:${commandId}`, REQUEST_NAMESPACE);

/** One installation setup round (signed state nonce) binds once, however often the page is reloaded. */
export const gitHubSetupCommandIdFor = (nonce: string, installationId: string) =>
  uuidv5(`github-setup:${nonce}:${installationId}`, GITHUB_SETUP_NAMESPACE);

/** One OAuth round, one command: a reloaded callback page is answered from the stored event. */
export const gitHubOAuthCommandIdFor = (nonce: string) => uuidv5(`github-oauth:${nonce}`, GITHUB_OAUTH_CALLBACK_NAMESPACE);

/** Derived from the organization: every attempt to create the default workspace names the same one. */
export const defaultWorkspaceIdFor = (organizationId: string) => uuidv5(`default-workspace:${organizationId}`, DEFAULT_WORKSPACE_NAMESPACE);

/** One job per delivery: a delivery seen twice names the same job, so it is queued once. */
export const ingestionJobIdFor = (deliveryId: string) => uuidv5(`ingestion:${deliveryId}`, INGESTION_JOB_NAMESPACE);

/**
 * One job per repository and pushed commit: the same push delivered again under another delivery
 * id (a manual redelivery, a second webhook on the same App) names the same job, so it is queued once.
 */
export const pushJobIdFor = (repositoryId: string, afterSha: string) =>
  uuidv5(`ingestion:push:${repositoryId}:${afterSha}`, INGESTION_JOB_NAMESPACE);

/**
 * One job per workspace, repository and pushed commit, for a repository connected to the workspace
 * as an integration resource: two members' connections of the same repository to one workspace,
 * and redeliveries of the push, name the same job.
 */
export const connectionPushJobIdFor = (workspaceId: string, githubRepoId: string, afterSha: string) =>
  uuidv5(`ingestion:push-connection:${workspaceId}:${githubRepoId}:${afterSha}`, INGESTION_JOB_NAMESPACE);

/**
 * Stable per (store, repository, path): the same file indexed again is the same document, and
 * `a.md` and `a.mdx` (which the original's `<owner_repo>_<slug>` ids confused) are two.
 */
export const documentIdFor = (storeId: string, githubRepoId: string, path: string) =>
  `doc_${uuidv5(`${storeId}\u0000${githubRepoId}\u0000${path}`, DOCUMENT_NAMESPACE).replaceAll('-', '')}`;

/** A seeded job's command (`seed-jobs` CLI): seeding again with the same seed appends nothing twice. */
export const seedJobCommandIdFor = (seed: number, workspaceId: string, index: number) =>
  uuidv5(`seed:${seed}:${workspaceId}:${index}`, SEED_JOB_NAMESPACE);
