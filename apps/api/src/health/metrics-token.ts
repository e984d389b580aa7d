import { HttpStatus } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../common/api-error.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * `METRICS_TOKEN` set: `/metrics` answers only `Authorization: Bearer <token>`. Compared as SHA-256
 * digests with `timingSafeEqual`: equal lengths whatever was sent, and no early exit on the first
 * differing byte, so response times tell nothing about the token.
 */
export function requireMetricsToken(expected: string | undefined, authorization: string | undefined): void {
  if (expected === undefined) return;
  const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
  if (!timingSafeEqual(digest(presented), digest(expected))) {
    throw new ApiError(HttpStatus.UNAUTHORIZED, 'unauthenticated', '/metrics requires Authorization: Bearer <METRICS_TOKEN>');
  }
}
