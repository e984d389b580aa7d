import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { GITHUB_ID_PATTERN, MAX_RESOURCES_PER_REQUEST, REPO_FULL_NAME_PATTERN, type SyncConfig } from '#domain';

/** GitHub ids arrive as JSON numbers (as GitHub sends them) or as digit strings; stored as strings. */
const IsGitHubId = () =>
  ValidateBy({
    name: 'isGitHubId',
    validator: {
      validate: (value: unknown) =>
        (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) ||
        (typeof value === 'string' && GITHUB_ID_PATTERN.test(value)),
      defaultMessage: (args) => `${args?.property ?? 'value'} must be a positive integer GitHub id`,
    },
  });

export const gitHubId = (value: string | number) => String(value);

const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;

export class ResourceInput {
  @IsDefined()
  @IsGitHubId()
  installationId!: string | number;

  @IsDefined()
  @IsGitHubId()
  repoId!: string | number;

  @IsString()
  @Matches(REPO_NAME, { message: 'repoName must be 1–100 characters of letters, digits, . _ -' })
  repoName!: string;

  @IsString()
  @Matches(REPO_FULL_NAME_PATTERN, { message: 'repoFullName must be owner/name' })
  repoFullName!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(255)
  defaultBranch!: string;

  @IsBoolean()
  isPrivate!: boolean;

  @IsBoolean()
  isArchived!: boolean;
}

/** One repository or up to 100, appended as one event; repositories already registered are skipped. */
export class CreateResourcesBody {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RESOURCES_PER_REQUEST, { message: `resources must hold at most ${MAX_RESOURCES_PER_REQUEST} entries` })
  @ValidateNested({ each: true })
  @Type(() => ResourceInput)
  resources!: ResourceInput[];
}

export class SyncConfigInput {
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(255, { each: true })
  branches?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(500, { each: true })
  paths?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(100, { each: true })
  events?: string[];

  /** Default true: pushes keep the workspace in sync. */
  @IsOptional()
  @IsBoolean()
  autoSync?: boolean;
}

export class ConnectResourceBody {
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  resourceId!: string;

  @IsOptional()
  @IsObject({ message: 'syncConfig must be an object' }) // @ValidateNested alone lets an array through
  @ValidateNested()
  @Type(() => SyncConfigInput)
  syncConfig?: SyncConfigInput;
}

export class IntegrationStatusQuery {
  @IsString()
  @Matches(REPO_FULL_NAME_PATTERN, { message: 'repoFullName must be owner/name' })
  repoFullName!: string;

  @IsOptional()
  @IsString()
  minPosition?: string;
}

/** Absent lists stay absent, so "no branch filter" and "an empty filter" are not confused. */
export function toSyncConfig(input: SyncConfigInput | undefined): SyncConfig {
  return {
    ...(input?.branches ? { branches: input.branches } : {}),
    ...(input?.paths ? { paths: input.paths } : {}),
    ...(input?.events ? { events: input.events } : {}),
    autoSync: input?.autoSync ?? true,
  };
}
