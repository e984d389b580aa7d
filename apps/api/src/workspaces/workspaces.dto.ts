import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { WORKSPACE_NAME_PATTERN } from '#domain';

export class WorkspaceNameBody {
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(WORKSPACE_NAME_PATTERN, { message: 'name must be 1–100 characters of letters, digits, _ . -' })
  name!: string;
}
