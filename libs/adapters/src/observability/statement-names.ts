import { AsyncLocalStorage } from 'node:async_hooks';

const names = new AsyncLocalStorage<string>();

/** The name a `namedStatements` method gave the statements it issues, if one is running. */
export function currentStatementName(): string | undefined {
  return names.getStore();
}

/** Runs `work` with the statements it issues named `name`. */
export function inStatement<T>(name: string, work: () => T): T {
  return names.run(name, work);
}

/**
 * `target`, whose methods (all of them, or those listed) name every statement they issue
 * `<prefix>.<method>` (`JobQueries.list`, `event_store.append`) in metrics and slow-query lines.
 * The name travels with the async context, so statements a method issues after an await, or
 * concurrently with another method's, keep their own. Every method runs on `target` itself, so
 * private fields keep working; properties that are not methods pass through untouched.
 */
export function namedStatements<T extends object>(target: T, prefix: string, methods?: readonly string[]): T {
  const wrappers = new WeakMap<object, unknown>();
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function' || property === 'constructor') return value;
      let wrapper = wrappers.get(value);
      if (!wrapper) {
        const method = value as (...args: unknown[]) => unknown;
        const named = typeof property === 'string' && (!methods || methods.includes(property));
        const name = `${prefix}.${String(property)}`;
        wrapper = named ? (...args: unknown[]) => names.run(name, () => method.apply(object, args)) : method.bind(object);
        wrappers.set(value, wrapper);
      }
      return wrapper;
    },
  });
}

const RELATION = String.raw`(?:only\s+)?(?:"?[a-z_][\w$]*"?\.)?"?([a-z_][\w$]*)"?`;
const FIRST_RELATION: Record<string, RegExp> = {
  select: new RegExp(String.raw`\bfrom\s+${RELATION}`, 'i'),
  with: new RegExp(String.raw`\bfrom\s+${RELATION}`, 'i'),
  insert: new RegExp(String.raw`^insert\s+into\s+${RELATION}`, 'i'),
  update: new RegExp(String.raw`^update\s+${RELATION}`, 'i'),
  delete: new RegExp(String.raw`^delete\s+from\s+${RELATION}`, 'i'),
};
/** A statement with no relation worth naming: its verb says enough. */
const VERBS = new Set(
  'begin start commit end rollback savepoint release set reset show listen unlisten notify create alter drop lock truncate vacuum analyze explain do copy call prepare execute deallocate discard comment grant revoke refresh'.split(
    ' ',
  ),
);

/**
 * A name for a statement no `namedStatements` method issued (a projector batch, a migration,
 * TypeORM's own): its verb and first relation (`insert jobs`, `select es_events`), or for a
 * SELECT without FROM its first function (`select pg_try_advisory_lock`). Never values: only
 * identifiers written in code, lower-cased, a generation's `_g<N>` suffix dropped, so the set of
 * names stays as small as the code's set of statements.
 */
export function deriveStatementName(text: string | undefined): string {
  const sql = (text ?? '').replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/, '');
  const verb = /^[a-z]+/i.exec(sql)?.[0]?.toLowerCase();
  if (!verb) return 'other';
  const pattern = FIRST_RELATION[verb];
  if (!pattern) return VERBS.has(verb) ? verb : 'other';
  const relation = pattern.exec(sql)?.[1] ?? (verb === 'select' ? /^select\s+([a-z_][\w$]*)\s*\(/i.exec(sql)?.[1] : undefined);
  return relation ? `${verb} ${relation.toLowerCase().replace(/_g\d+$/, '')}` : verb;
}
