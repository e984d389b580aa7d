import { IsBoolean, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateBy } from 'class-validator';
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

  /**
   * `clerk.createOrGetOrganization`'s retry: when the slug is held by an organization the caller is
   * not a member of, create one under `<slug>-<epoch ms>` (the original's form) instead of a 409.
   */
  @IsOptional()
  @IsBoolean()
  suffixIfTaken?: boolean;
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

  /** The GitHub organization whose membership grants the role (the original's `githubOrgSlug`). */
  @IsString()
  @Matches(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, {
    message: 'githubOrgSlug must be a GitHub login: 1–39 letters, digits and single hyphens, not at either end',
  })
  githubOrgSlug!: string;

  /** The user's GitHub login (the original's `githubUsername`): GitHub is asked for this login's membership. */
  @IsString()
  @Matches(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, {
    message: 'githubUsername must be a GitHub login: 1–39 letters, digits and single hyphens, not at either end',
  })
  githubUsername!: string;
}
