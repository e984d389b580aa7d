import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { idempotentCommandIdFor } from '#domain';
import type { CommandContext } from '#event-store';
import type { AuthenticatedRequest } from '../auth/auth.guard.js';
import { badRequest } from './api-error.js';

/**
 * The command id of a request. With an `Idempotency-Key` header it is derived from the caller and
 * the key, so a client retrying after a timeout gets the original result and no duplicate. The key
 * names one request of that caller: the route is not part of the id but of the request's hash, so
 * the same key sent with another route or body is refused (422 `idempotency_key_reused`) instead of
 * running a second command or replaying the first one's answer.
 */
export const CommandId = createParamDecorator((_data: unknown, context: ExecutionContext): CommandContext => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  const key = request.headers['idempotency-key'];
  const userId = request.principal?.userId;
  const correlationId = typeof request.headers['x-request-id'] === 'string' ? request.headers['x-request-id'] : undefined;
  if (key === undefined) return { commandId: randomUUID(), userId, correlationId };
  if (typeof key !== 'string' || key.length < 1 || key.length > 200) throw badRequest('Idempotency-Key', 'must be 1–200 characters');
  return {
    commandId: idempotentCommandIdFor(userId, key),
    userId,
    correlationId,
    requestHash: requestHash(request.method, request.originalUrl.split('?')[0]!, request.body),
  };
});

/** SHA-256 over the method, the path and the body in canonical JSON (keys sorted): a retry re-serialized by another client still matches. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([method.toUpperCase(), path, canonical(body ?? null)]))
    .digest('hex');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}
