import { parse } from 'yaml';
import { INCLUDE_GLOB_LIMITS, includeGlobError } from './include-glob-limits.js';

/** The original probes these, in this order, at the repository root (reference §5). */
export const LIGHTFAST_CONFIG_CANDIDATES = ['lightfast.yml', '.lightfast.yml', 'lightfast.yaml', '.lightfast.yaml'] as const;

export interface LightfastConfig {
  readonly version: 1;
  readonly workspace?: string;
  readonly store: string;
  readonly include: readonly string[];
}

export interface RootEntry {
  readonly name: string;
  /** As GitHub's contents listing says: `file`, `dir`, `symlink`, `submodule`. */
  readonly type: string;
}

export type ConfigValidation =
  { readonly ok: true; readonly config: LightfastConfig } | { readonly ok: false; readonly errors: readonly string[] };

/**
 * The config file of a repository from one listing of its root, instead of four probes: the first
 * candidate, in the original's order, that the root holds as a file. Null when there is none.
 */
export function pickConfigFile(root: readonly RootEntry[]): string | null {
  const files = new Set(root.filter((e) => e.type === 'file').map((e) => e.name));
  return LIGHTFAST_CONFIG_CANDIDATES.find((name) => files.has(name)) ?? null;
}

export const STORE_SLUG_MAX_LENGTH = 20;

/** 1–20 chars of [a-z0-9-], no leading, trailing or double hyphen (the original's store rules). */
export function storeSlugErrors(slug: unknown): string[] {
  if (typeof slug !== 'string') return ['store: required string'];
  const errors: string[] = [];
  if (slug.length < 1 || slug.length > STORE_SLUG_MAX_LENGTH) errors.push(`store: must be 1–${STORE_SLUG_MAX_LENGTH} characters`);
  if (!/^[a-z0-9-]*$/.test(slug)) errors.push('store: only lowercase letters, digits and hyphens');
  if (slug.startsWith('-') || slug.endsWith('-')) errors.push('store: must not start or end with a hyphen');
  if (slug.includes('--')) errors.push('store: must not contain consecutive hyphens');
  return errors;
}

/**
 * `validateGlobPatterns`: non-empty, repository-relative (no leading `/`, no Windows drive), and
 * within `INCLUDE_GLOB_LIMITS`, so a hostile config is refused before picomatch compiles it. A
 * refused glob is quoted (cut at 80 characters) so the author can find it.
 */
function globErrors(include: unknown): string[] {
  if (!Array.isArray(include)) return ['include: required list of globs'];
  if (include.length === 0) return ['include: at least one glob'];
  if (include.length > INCLUDE_GLOB_LIMITS.globs) return [`include: at most ${INCLUDE_GLOB_LIMITS.globs} globs, got ${include.length}`];
  return include.flatMap((glob, i): string[] => {
    if (typeof glob !== 'string' || glob.trim() === '') return [`include[${i}]: must be a non-empty string`];
    const quoted = JSON.stringify(glob.length > 80 ? `${glob.slice(0, 80)}…` : glob);
    if (glob.startsWith('/') || /^[A-Za-z]:[\\/]/.test(glob)) return [`include[${i}] ${quoted}: must be relative to the repository root`];
    const error = includeGlobError(glob);
    return error ? [`include[${i}] ${quoted}: ${error}`] : [];
  });
}

/** `LightfastConfigSchema` of the original, on an already parsed document. */
export function validateLightfastConfig(parsed: unknown): ConfigValidation {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, errors: ['config: must be a mapping'] };
  const doc = parsed as Record<string, unknown>;
  const errors: string[] = [];
  if (doc.version !== 1) errors.push('version: must be 1');
  if (doc.workspace !== undefined && typeof doc.workspace !== 'string') errors.push('workspace: must be a string');
  errors.push(...storeSlugErrors(doc.store), ...globErrors(doc.include));
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      version: 1,
      ...(doc.workspace === undefined ? {} : { workspace: doc.workspace as string }),
      store: doc.store as string,
      include: [...(doc.include as string[])],
    },
  };
}

export type ConfigDetection =
  | { readonly status: 'configured'; readonly configPath: string; readonly config: LightfastConfig; readonly error: null }
  | { readonly status: 'unconfigured'; readonly configPath: null; readonly config: null; readonly error: null }
  | { readonly status: 'error'; readonly configPath: string; readonly config: null; readonly error: string };

export const UNCONFIGURED: ConfigDetection = { status: 'unconfigured', configPath: null, config: null, error: null };

/** The outcome for the file `pickConfigFile` chose, given its text: YAML parsed, then validated. */
export function evaluateConfigFile(configPath: string, text: string): ConfigDetection {
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    return {
      status: 'error',
      configPath,
      config: null,
      error: `Invalid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    };
  }
  const validation = validateLightfastConfig(parsed);
  return validation.ok
    ? { status: 'configured', configPath, config: validation.config, error: null }
    : { status: 'error', configPath, config: null, error: validation.errors.join('; ') };
}
