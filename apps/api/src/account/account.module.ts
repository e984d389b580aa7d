import { Module } from '@nestjs/common';
import { ProfileController } from './profile.controller.js';
import { UserProfiles } from './user-profiles.js';

/** `account.profile.*`: the caller's profile (Clerk's user, or the local identity's). */
@Module({
  controllers: [ProfileController],
  providers: [UserProfiles],
})
export class AccountModule {}
