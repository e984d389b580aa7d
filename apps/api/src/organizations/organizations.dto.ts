import { IsOptional, IsString, Matches, MaxLength, MinLength, ValidateBy } from 'class-validator';
import { ORGANIZATION_NAME_MAX_LENGTH, organizationNameProblem, organizationSlugProblem } from '#domain';

/** The decider checks these again; the DTO names the field in a 400 before anything is called or appended. */
const IsOrganizationSlug = () =>
  ValidateBy({
    name: 'isOrganizationSlug',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && organizationSlugProblem(value) === null,
      defaultMessage: (args) => (typeof args?.value === 'string' ? organizationSlugProblem(args.value) : null) ?? 'slug must be a string',
    },
  });
const IsOrganizationName = () =>
  ValidateBy({
    name: 'isOrganizationName',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && organizationNameProblem(value) === null,
      defaultMessage: () => `name must be 1–${ORGANIZATION_NAME_MAX_LENGTH} characters, not blank, without control characters`,
    },
  });

export class CreateOrganizationBody {
  @IsString()
  @IsOrganizationSlug()
  slug!: string;

  /** Defaults to the slug, as the original's `organization.create` did. */
  @IsOptional()
  @IsString()
  @IsOrganizationName()
  name?: string;
}

export class RenameOrganizationBody {
  @IsString()
  @IsOrganizationName()
  name!: string;
}

export class AddMemberFromGitHubBody {
  /** The Clerk user id (or a local user id without Clerk). */
  @IsString()
  @MinLength(1)
  @MaxLength(191)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'userId must be 1–191 characters of letters, digits, _ and -' })
  userId!: string;

  /** The user's role in the GitHub organization: `admin` maps to admin, anything else (`member`, `billing_manager`, …) to member. */
  @IsString()
  @Matches(/^[a-z_]{1,50}$/, { message: 'githubRole must be a GitHub organization role such as admin or member' })
  githubRole!: string;
}
