import { badRequest } from '../common/api-error.js';

/**
 * Typed reads of a verified GitHub payload. The signature proves GitHub sent it, not that it has
 * the shape we expect (a new GitHub version, a hand-made test delivery): a missing field is a 400
 * naming it, never a 500.
 */
export type Payload = Readonly<Record<string, unknown>>;

const field = (path: string) => `payload.${path}`;

export function objectAt(payload: Payload, path: string): Payload {
  const value = valueAt(payload, path);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest(field(path), 'must be an object');
  return value as Payload;
}

export function stringAt(payload: Payload, path: string): string {
  const value = valueAt(payload, path);
  if (typeof value !== 'string' || value === '') throw badRequest(field(path), 'must be a non-empty string');
  return value;
}

export function optionalStringAt(payload: Payload, path: string): string | null {
  const value = valueAt(payload, path);
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw badRequest(field(path), 'must be a string');
  return value;
}

/** GitHub's numeric ids, kept as decimal strings (stream ids and read models hold them as text). */
export function idAt(payload: Payload, path: string): string {
  const value = valueAt(payload, path);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === 'string' && /^[1-9]\d{0,19}$/.test(value)) return value;
  throw badRequest(field(path), 'must be a positive integer id');
}

export function optionalIdAt(payload: Payload, path: string): string | null {
  return valueAt(payload, path) === undefined || valueAt(payload, path) === null ? null : idAt(payload, path);
}

export function arrayAt(payload: Payload, path: string, options: { optional?: boolean } = {}): readonly unknown[] {
  const value = valueAt(payload, path);
  if (value === undefined && options.optional) return [];
  if (!Array.isArray(value)) throw badRequest(field(path), 'must be an array');
  return value;
}

/** The file lists of each commit of a push: arrays of strings when present. */
export function commitFilesAt(payload: Payload): { added?: string[]; modified?: string[]; removed?: string[] }[] {
  return arrayAt(payload, 'commits', { optional: true }).map((commit, i) => {
    if (commit === null || typeof commit !== 'object' || Array.isArray(commit))
      throw badRequest(field(`commits[${i}]`), 'must be an object');
    const lists: { added?: string[]; modified?: string[]; removed?: string[] } = {};
    for (const status of ['added', 'modified', 'removed'] as const) {
      const list = (commit as Payload)[status];
      if (list === undefined) continue;
      if (!Array.isArray(list) || !list.every((path) => typeof path === 'string' && path !== ''))
        throw badRequest(field(`commits[${i}].${status}`), 'must be an array of paths');
      lists[status] = list as string[];
    }
    return lists;
  });
}

function valueAt(payload: Payload, path: string): unknown {
  let current: unknown = payload;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Array.isArray(current) ? (/^\d+$/.test(key) ? current[Number(key)] : undefined) : (current as Payload)[key];
  }
  return current;
}
