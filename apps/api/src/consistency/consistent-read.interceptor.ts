import { CONFIG, CHECKPOINTS, type ConsoleConfig } from '#runtime';
import { ProjectionCaches, type CheckpointWaiter, type ProjectionName } from '#read-models';
import { Inject, Injectable, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, switchMap, type Observable } from 'rxjs';
import { isPosition } from '#event-store';
import type { AuthenticatedRequest } from '../auth/auth.guard.js';
import { ApiError, badRequest } from '../common/api-error.js';
import { ReadAccess } from './read-access.js';

const READS_FROM = 'console:reads-from';
/** Names the projections a query reads, so `?minPosition=` can wait for them; a name that is no projection does not compile. */
export const ReadsFrom = (...projections: [ProjectionName, ...ProjectionName[]]) => SetMetadata(READS_FROM, projections);

/**
 * Read-your-writes: a command answers with the `position` of its last event; a query given
 * `?minPosition=<position>` first waits (bounded) until the projections it reads have applied it.
 * Only an authorized caller waits (`ReadAccess`): the wait runs before the handler's own checks.
 */
@Injectable()
export class ConsistentReadInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(CONFIG) private readonly config: ConsoleConfig,
    @Inject(CHECKPOINTS) private readonly checkpoints: CheckpointWaiter,
    private readonly access: ReadAccess,
    private readonly caches: ProjectionCaches,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const projections = this.reflector.get<ProjectionName[] | undefined>(READS_FROM, context.getHandler());
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const minPosition = request.query?.minPosition;
    if (!projections || minPosition === undefined) return next.handle();
    if (typeof minPosition !== 'string' || !isPosition(minPosition)) {
      throw badRequest('minPosition', 'must be a position returned by a command, e.g. "1234/5678"');
    }
    const principal = request.principal;
    if (!principal) throw new ApiError(401, 'unauthenticated', 'A bearer token is required');
    return from(
      this.access.authorize(principal, request).then(() => this.waitForAll(withAuthorization(projections, request), minPosition)),
    ).pipe(switchMap(() => next.handle()));
  }

  /**
   * All under one deadline, their checkpoints read in one statement: the total wait stays bounded
   * by the timeout, and a 503 always names the first projection (in declared order) that had not
   * caught up.
   */
  private async waitForAll(projections: readonly ProjectionName[], minPosition: string): Promise<void> {
    await this.checkpoints.waitForAll(projections, minPosition, this.config.consistencyTimeoutMs);
    // The handler's lookups (membership, workspace) must not answer from entries read before the
    // position: the notification of the batch that reached it may still be on its way.
    for (const projection of projections) this.caches.caughtUp(projection, minPosition);
  }
}

/**
 * An `{org}` or `by-id/{clerkOrgId}` route also reads the `organizations` projection, to authorize
 * the caller: waiting for it too means a membership removed or a role changed by the command whose
 * position is given is honoured by this request (after the projections the route declares, so a
 * 503 still names those first).
 */
function withAuthorization(projections: readonly ProjectionName[], request: AuthenticatedRequest): readonly ProjectionName[] {
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  const authorizes = params.org !== undefined || params.clerkOrgId !== undefined;
  return authorizes && !projections.includes('organizations') ? [...projections, 'organizations'] : projections;
}
