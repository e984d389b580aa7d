import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * Reads a compose file the way `docker compose config` does before it validates: YAML merge keys
 * (`<<: *anchor`) resolved, then `${…}` interpolated in every string value from `env`.
 */
export function loadComposeFile(path: string, env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  return interpolateValues(readComposeFile(path), env) as Record<string, unknown>;
}

/** Merge keys resolved, every `${…}` left as written. */
export function readComposeFile(path: string): Record<string, unknown> {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as Record<string, unknown>;
}

/** Every variable the file's values interpolate (`${A:-${B}}` names A and B); comments are not interpolated. */
export function variablesUsed(document: unknown): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(/\$\{?([_a-zA-Z][_a-zA-Z0-9]*)/g)) if (value[match.index - 1] !== '$') names.add(match[1]!);
    } else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(document);
  return names;
}

function interpolateValues(value: unknown, env: Readonly<Record<string, string | undefined>>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateValues(item, env));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateValues(item, env)]));
  return value;
}

/**
 * Compose's interpolation (compose-go `template`): `$$` is a literal `$`; `${NAME}`, `$NAME`;
 * `${NAME:-default}` / `${NAME-default}` (unset or empty / unset); `${NAME:?message}` /
 * `${NAME?message}` fail; `${NAME:+other}` / `${NAME+other}`; defaults may nest `${…}`.
 */
export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '$') {
      out += text[i];
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '{') {
      const end = closingBrace(text, i + 2);
      out += substitute(text.slice(i + 2, end), env);
      i = end;
    } else {
      const name = /^[_a-zA-Z][_a-zA-Z0-9]*/.exec(text.slice(i + 1))?.[0];
      if (!name) throw new Error(`Invalid template: ${JSON.stringify(text)}`);
      out += env[name] ?? '';
      i += name.length;
    }
  }
  return out;
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && --depth === 0) return i;
  }
  throw new Error(`Invalid template: ${JSON.stringify(text)} has an unclosed \${`);
}

function substitute(expression: string, env: Readonly<Record<string, string | undefined>>): string {
  const match = /^([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?)([-?+])([\s\S]*))?$/.exec(expression);
  if (!match) throw new Error(`Invalid template: \${${expression}}`);
  const [, name, colon, operator, rest = ''] = match;
  const value = env[name!];
  const present = colon ? value !== undefined && value !== '' : value !== undefined;
  switch (operator) {
    case undefined:
      return value ?? '';
    case '-':
      return present ? value! : interpolate(rest, env);
    case '+':
      return present ? interpolate(rest, env) : '';
    case '?':
      if (!present) throw new Error(`required variable ${name} is missing a value: ${interpolate(rest, env)}`);
      return value!;
    default:
      throw new Error(`Invalid template: \${${expression}}`);
  }
}
