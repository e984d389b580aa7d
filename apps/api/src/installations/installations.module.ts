import { Global, Module } from '@nestjs/common';
import { GitHubSetupController } from './github-setup.controller.js';
import { InstallationBindings } from './installation-bindings.js';
import { InstallationsController } from './installations.controller.js';

/** Which GitHub App installations each organization owns; global, for repositories and webhooks. */
@Global()
@Module({
  controllers: [InstallationsController, GitHubSetupController],
  providers: [InstallationBindings],
  exports: [InstallationBindings],
})
export class InstallationsModule {}
