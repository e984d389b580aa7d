import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
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
