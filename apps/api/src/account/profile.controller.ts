import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DirectoryUser, Principal } from '#adapters';
import { isApiKeyPrincipal } from '../api-keys/api-key.authenticator.js';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { forbidden } from '../common/api-error.js';
import { UserProfiles } from './user-profiles.js';

/** `account.profile.get`: the caller's own profile. Reads no read model, so it takes no `?minPosition=`. */
@ApiTags('Account')
@Controller('v1/me')
export class ProfileController {
  constructor(private readonly profiles: UserProfiles) {}

  @ApiOperation({ summary: 'Your profile (account.profile.get)' })
  @Get()
  async get(@CurrentPrincipal() principal: Principal): Promise<DirectoryUser> {
    if (isApiKeyPrincipal(principal)) throw forbidden('API keys cannot read a profile; use a session token');
    return this.profiles.get(principal.userId);
  }
}
