import { IsString, Matches } from 'class-validator';

export const GITHUB_ID = /^[1-9]\d{0,19}$/;

export class BindInstallationBody {
  @IsString()
  @Matches(GITHUB_ID, { message: 'installationId must be a GitHub id (digits)' })
  installationId!: string;
}
