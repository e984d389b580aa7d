import { HttpStatus, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ApiError } from './api-error.js';

const MAX_DEPTH = 16;

/**
 * Runs before validation on bodies, queries and path parameters, refusing with a 400 that names
 * the field what would otherwise fail later or be dropped silently: NUL characters (PostgreSQL
 * cannot store them in text or jsonb), nesting deeper than any DTO has (class-transformer recurses
 * until the stack overflows), and keys such as `constructor` or `__proto__`, which the transformer
 * skips without telling the whitelist.
 */
@Injectable()
export class InputGuardPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const root = metadata.type === 'param' && metadata.data ? metadata.data : '';
    inspect(value, root, 0);
    return value;
  }
}

function inspect(value: unknown, path: string, depth: number): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) refuse(path, 'must not contain the NUL character (U+0000)');
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (depth > MAX_DEPTH) refuse(path, `is nested more than ${MAX_DEPTH} levels deep`);
  const entries = Array.isArray(value) ? value.map((item, i) => [String(i), item] as const) : Object.entries(value);
  for (const [key, item] of entries) {
    const field = path ? `${path}.${key}` : key;
    if (!Array.isArray(value) && (key === '__proto__' || key in Object.prototype || key === 'prototype'))
      refuse(field, `property ${key} should not exist`);
    if (key.includes('\u0000')) refuse(path || 'body', 'property names must not contain the NUL character (U+0000)');
    inspect(item, field, depth + 1);
  }
}

function refuse(field: string, message: string): never {
  const name = field || 'body';
  throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid_request', `Invalid request: ${name}: ${message}`, {
    fields: [{ field: name, messages: [`${name} ${message}`] }],
  });
}
