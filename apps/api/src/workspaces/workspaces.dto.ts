import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { WORKSPACE_NAME_PATTERN } from '#domain';

export class WorkspaceNameBody {
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(WORKSPACE_NAME_PATTERN, { message: 'name must be 1–100 characters of letters, digits, _ . -' })
  name!: string;
}

export interface WorkspaceView {
  readonly id: string;
  readonly name: string;
  readonly slug: string;
  readonly isDefault: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly clerkOrgId: string;
}

export interface WorkspaceListItem extends WorkspaceView {
  readonly repositories: ReadonlyArray<{ readonly id: string }>;
  readonly totalDocuments: number;
  /** Creation time of the newest job, or of the workspace when it has none. */
  readonly lastActivity: string;
}
