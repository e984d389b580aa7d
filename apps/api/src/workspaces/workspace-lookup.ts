import { Injectable } from '@nestjs/common';
import { ProjectionCaches, WorkspaceQueries, workspaceNotFound, type ProjectionCache, type WorkspaceView } from '#read-models';

const MAX_WORKSPACES = 10_000;

/**
 * The workspace an `{org}/{ws}` route names, resolved on every such request: served from a cache
 * the `workspaces` projection keeps exact (see `ProjectionCaches`), so a rename stops answering to
 * the old name once the projection applied it, and at once for a request with `?minPosition=`.
 * Keyed by the organization and the name exactly as written: the database decides what matches
 * ignoring case, the cache never does.
 */
@Injectable()
export class WorkspaceLookup {
  private readonly cache: ProjectionCache<WorkspaceView | null>;

  constructor(
    private readonly queries: WorkspaceQueries,
    caches: ProjectionCaches,
  ) {
    this.cache = caches.cache('workspace_by_name', 'workspaces', MAX_WORKSPACES);
  }

  /** The workspace, or a 404 (`not_found`) when the organization has none by that name. */
  async byName(organizationId: string, name: string): Promise<WorkspaceView> {
    const workspace = await this.cache.get(JSON.stringify([organizationId, name]), async () => {
      const found = await this.queries.findByName(organizationId, name);
      // Shared by every request that hits it: nobody may change it.
      return found && Object.freeze(found);
    });
    if (!workspace) throw workspaceNotFound(name);
    return workspace;
  }
}
