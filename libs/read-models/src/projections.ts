import type { ProjectionDefinition } from './core/projection.js';
import { jobsProjection } from './jobs/jobs.projection.js';
import { jobStatsProjection } from './job-stats/job-stats.projection.js';
import { workspacesProjection } from './workspaces/workspaces.projection.js';
import { apiKeysProjection } from './api-keys/api-keys.projection.js';
import { integrationsProjection } from './integrations/integrations.projection.js';
import { organizationsProjection } from './organizations/organizations.projection.js';
import { repositoriesProjection } from './repositories/repositories.projection.js';
import { storesProjection } from './document-stores/document-stores.projection.js';
import { documentsProjection } from './documents/documents.projection.js';
import { ingestionQueueProjection } from './ingestion-queue/ingestion-queue.projection.js';
import { githubInstallationsProjection } from './github-installations/github-installations.projection.js';

/** Every projection the daemon runs, and which ones serve which API area. */
export const PROJECTIONS = [
  workspacesProjection,
  jobsProjection,
  jobStatsProjection,
  apiKeysProjection,
  integrationsProjection,
  organizationsProjection,
  repositoriesProjection,
  ingestionQueueProjection,
  storesProjection,
  documentsProjection,
  githubInstallationsProjection,
] as const;

/** The name of a projection that exists: `@ReadsFrom('job_statz')` does not compile. */
export type ProjectionName = (typeof PROJECTIONS)[number]['name'];

/** By a name typed at the command line, hence a string checked here. */
export function projectionNamed(name: string): ProjectionDefinition {
  const found = PROJECTIONS.find((p) => p.name === name);
  if (!found) throw new Error(`Unknown projection "${name}"; known: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
  return found;
}
