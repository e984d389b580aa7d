/**
 * A workspace's settings, the original's `WorkspaceSettings` (the `settings` jsonb of its
 * `workspaces` table): which repositories are enabled, default include/ignore globs, feature flags.
 * Every key is optional; a workspace starts with `{}`.
 */
export interface WorkspaceSettings {
  readonly repositories?: Readonly<Record<string, { readonly enabled: boolean }>>;
  readonly defaults?: { readonly patterns?: readonly string[]; readonly ignore?: readonly string[] };
  readonly features?: { readonly codeIndexing?: boolean; readonly multiLanguage?: boolean };
}

export interface SettingsProblem {
  /** The offending field's path, e.g. `settings.features.codeIndexing`. */
  readonly field: string;
  readonly message: string;
}

const MAX_REPOSITORIES = 1000;
const MAX_PATTERNS = 100;
const MAX_PATTERN_LENGTH = 500;
const REPOSITORY_KEY = /^[A-Za-z0-9_.:-]{1,100}$/;
/** Keys that name an object's inherited members: never a repository id. */
const INHERITED = new Set(['__proto__', 'constructor', 'prototype']);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every problem with a settings object, each naming its field (unknown keys included), so a 400
 * can list them all at once. An empty list: the value is a valid `WorkspaceSettings`.
 */
export function workspaceSettingsProblems(value: unknown, path = 'settings'): SettingsProblem[] {
  if (!isRecord(value)) return [{ field: path, message: 'must be an object' }];
  const problems: SettingsProblem[] = [];
  for (const [key, entry] of Object.entries(value)) {
    const field = `${path}.${key}`;
    switch (key) {
      case 'repositories':
        problems.push(...repositoriesProblems(entry, field));
        break;
      case 'defaults':
        problems.push(...objectProblems(entry, field, { patterns: patternsProblems, ignore: patternsProblems }));
        break;
      case 'features':
        problems.push(...objectProblems(entry, field, { codeIndexing: booleanProblems, multiLanguage: booleanProblems }));
        break;
      default:
        problems.push({ field, message: 'is not a known setting (repositories, defaults, features)' });
    }
  }
  return problems;
}

type Check = (value: unknown, field: string) => SettingsProblem[];

function objectProblems(value: unknown, path: string, keys: Record<string, Check>): SettingsProblem[] {
  if (!isRecord(value)) return [{ field: path, message: 'must be an object' }];
  return Object.entries(value).flatMap(([key, entry]) => {
    const check = keys[key];
    return check
      ? check(entry, `${path}.${key}`)
      : [{ field: `${path}.${key}`, message: `is not a known setting (${Object.keys(keys).join(', ')})` }];
  });
}

const booleanProblems: Check = (value, field) => (typeof value === 'boolean' ? [] : [{ field, message: 'must be a boolean' }]);

const patternsProblems: Check = (value, field) => {
  if (!Array.isArray(value)) return [{ field, message: 'must be an array of glob strings' }];
  if (value.length > MAX_PATTERNS) return [{ field, message: `must have at most ${MAX_PATTERNS} entries` }];
  return value.flatMap((pattern, i) =>
    typeof pattern === 'string' && pattern.length >= 1 && pattern.length <= MAX_PATTERN_LENGTH
      ? []
      : [{ field: `${field}.${i}`, message: `must be a string of 1–${MAX_PATTERN_LENGTH} characters` }],
  );
};

function repositoriesProblems(value: unknown, path: string): SettingsProblem[] {
  if (!isRecord(value)) return [{ field: path, message: 'must be an object keyed by repository id' }];
  const entries = Object.entries(value);
  if (entries.length > MAX_REPOSITORIES) return [{ field: path, message: `must have at most ${MAX_REPOSITORIES} repositories` }];
  return entries.flatMap(([id, entry]) => {
    const field = `${path}.${id}`;
    if (!REPOSITORY_KEY.test(id) || INHERITED.has(id))
      return [{ field, message: 'the key must be a repository id (1–100 of A-Z a-z 0-9 _ . : -)' }];
    return objectProblems(entry, field, { enabled: booleanProblems }).concat(
      isRecord(entry) && !('enabled' in entry) ? [{ field: `${field}.enabled`, message: 'is required' }] : [],
    );
  });
}

/**
 * The settings with their keys in one order (sorted at every level), so two equal settings have
 * the same JSON text: what the decider compares to skip a change that changes nothing.
 */
export function canonicalWorkspaceSettings(settings: WorkspaceSettings): WorkspaceSettings {
  return sortKeys(settings) as WorkspaceSettings;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}
