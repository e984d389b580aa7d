import { IsObject, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { WORKSPACE_NAME_PATTERN } from '#domain';

export class WorkspaceNameBody {
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(WORKSPACE_NAME_PATTERN, { message: 'name must be 1–100 characters of letters, digits, _ . -' })
  name!: string;
}

/**
 * `PATCH …/workspaces/{ws}`: a new name, new settings, or both. `settings` replaces the whole
 * settings object; its keys are checked by `workspaceSettingsProblems` (a 400 names each field).
 */
export class UpdateWorkspaceBody {
  // Absent, not null: `name: null` is a 400, never a rename to "null".
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(WORKSPACE_NAME_PATTERN, { message: 'name must be 1–100 characters of letters, digits, _ . -' })
  name?: string;

  @ValidateIf((_, value) => value !== undefined)
  @IsObject()
  settings?: Record<string, unknown>;
}
