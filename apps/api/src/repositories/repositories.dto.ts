import { Transform } from 'class-transformer';
import { IsBoolean, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';

const GITHUB_ID = /^[1-9]\d{0,19}$/;

export class ListRepositoriesQuery extends ConsistentQuery {
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  includeInactive: boolean = false;
}

export class ConnectRepositoryBody {
  @IsString()
  @Matches(GITHUB_ID, { message: 'githubRepoId must be a GitHub id (digits)' })
  githubRepoId!: string;

  @IsString()
  @Matches(GITHUB_ID, { message: 'githubInstallationId must be a GitHub id (digits)' })
  githubInstallationId!: string;

  /** A workspace name of the organization; absent: its default workspace, as in the original. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  workspace?: string;
}

/** `PATCH /orgs/{org}/repositories/{id}`: keys merged into the repository's metadata. */
export class UpdateRepositoryBody {
  @IsObject()
  metadata!: Record<string, unknown>;
}

/**
 * Keys only GitHub may set (through its webhooks, or read at connection): Console reads them to
 * call GitHub (`fullName`, `defaultBranch`) or to show what GitHub says (`private`, `owner`), and
 * `deleted`/`deletedAt` record GitHub's deletion.
 */
export const GITHUB_METADATA_KEYS = ['fullName', 'defaultBranch', 'private', 'owner', 'deleted', 'deletedAt'] as const;
const MAX_METADATA_KEYS = 50;
const METADATA_KEY = /^[A-Za-z0-9_.-]{1,100}$/;

/** Every problem with a metadata update, each naming its field as `metadata.<key>`. */
export function metadataUpdateProblems(metadata: Record<string, unknown>): Array<{ field: string; message: string }> {
  const keys = Object.keys(metadata);
  if (keys.length === 0) return [{ field: 'metadata', message: 'must name at least one key' }];
  if (keys.length > MAX_METADATA_KEYS) return [{ field: 'metadata', message: `must have at most ${MAX_METADATA_KEYS} keys` }];
  return keys.flatMap((key) => {
    const field = `metadata.${key}`;
    if (!METADATA_KEY.test(key) || ['__proto__', 'constructor', 'prototype'].includes(key))
      return [{ field, message: 'the key must be 1–100 of A-Z a-z 0-9 _ . -' }];
    if ((GITHUB_METADATA_KEYS as readonly string[]).includes(key))
      return [{ field, message: 'is set by GitHub (its webhooks), not through the API' }];
    if (metadata[key] === undefined) return [{ field, message: 'must be a JSON value' }];
    return [];
  });
}
