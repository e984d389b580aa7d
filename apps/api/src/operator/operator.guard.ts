import { HttpStatus, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { CONFIG, type ConsoleConfig } from '#runtime';
import type { Principal } from '#adapters';
import { isApiKeyPrincipal } from '../api-keys/api-key.authenticator.js';
import { ApiError } from '../common/api-error.js';
import type { AuthenticatedRequest } from '../auth/auth.guard.js';

const operatorRequired = (message: string) => new ApiError(HttpStatus.FORBIDDEN, 'operator_required', message);

/**
 * Operator routes read every organization's events and change projections: only the users listed
 * in `OPERATOR_USER_IDS` (by default `user_local` without Clerk) pass, with a session token; an API
 * key never does, and neither does an organization admin. Runs after the global AuthGuard (which
 * answers 401) and before any pipe, so a refused caller learns nothing from validation.
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  private readonly operators: ReadonlySet<string>;

  constructor(@Inject(CONFIG) config: ConsoleConfig) {
    this.operators = new Set(config.operatorUserIds);
  }

  canActivate(context: ExecutionContext): boolean {
    requireOperator(context.switchToHttp().getRequest<AuthenticatedRequest>().principal, this.operators);
    return true;
  }
}

export function requireOperator(principal: Principal | undefined, operators: ReadonlySet<string>): string {
  if (!principal) throw new ApiError(HttpStatus.UNAUTHORIZED, 'unauthenticated', 'A bearer token is required');
  if (isApiKeyPrincipal(principal)) throw operatorRequired('API keys cannot use operator routes; sign in with a session');
  if (!operators.has(principal.userId)) throw operatorRequired('This route is for operators (OPERATOR_USER_IDS)');
  return principal.userId;
}
