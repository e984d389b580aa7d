import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import type { CommandContext } from '#event-store';
import type { AuthenticatedRequest } from '../auth/auth.guard.js';
import { badRequest } from './api-error.js';

const IDEMPOTENCY_NAMESPACE = 'b3c0a7e4-5d1f-4e0b-8f3a-2c6d9e1f4a70';

/**
 * The command id of a request. With an `Idempotency-Key` header it is derived from the caller, the
 * route and the key, so a client retrying after a timeout gets the original result and no duplicate.
 */
export const CommandId = createParamDecorator((_data: unknown, context: ExecutionContext): CommandContext => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  const key = request.headers['idempotency-key'];
  const userId = request.principal?.userId;
  const correlationId = typeof request.headers['x-request-id'] === 'string' ? request.headers['x-request-id'] : undefined;
  if (key === undefined) return { commandId: randomUUID(), userId, correlationId };
  if (typeof key !== 'string' || key.length < 1 || key.length > 200) throw badRequest('Idempotency-Key', 'must be 1–200 characters');
  return { commandId: uuidv5(`${userId ?? ''}:${request.method}:${request.originalUrl.split('?')[0]}:${key}`, IDEMPOTENCY_NAMESPACE), userId, correlationId };
});
