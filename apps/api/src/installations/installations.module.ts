import { Global, Module } from '@nestjs/common';
import { BindInstallationHandler } from './bind-installation.handler.js';
import { BindSetupInstallationHandler } from './bind-setup-installation.handler.js';
import { GitHubSetupController } from './github-setup.controller.js';
import { InstallationBindings } from './installation-bindings.js';
import { InstallationsController } from './installations.controller.js';

/** Which GitHub App installations each organization owns; global, for repositories and webhooks. */
@Global()
@Module({
  controllers: [InstallationsController, GitHubSetupController],
  providers: [InstallationBindings, BindInstallationHandler, BindSetupInstallationHandler],
  exports: [InstallationBindings],
})
export class InstallationsModule {}
