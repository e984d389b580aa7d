import { Module, type DynamicModule } from '@nestjs/common';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { GitHubSetupController } from './github-setup.controller.js';
import { InstallationBindings } from './installation-bindings.js';
import { InstallationsController } from './installations.controller.js';

/** Which GitHub App installations each organization owns; global, for repositories and webhooks. */
@Module({})
export class InstallationsModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: InstallationsModule,
      global: true,
      controllers: [InstallationsController, GitHubSetupController],
      providers: [{ provide: RUNTIME, useValue: runtime }, InstallationBindings],
      exports: [InstallationBindings],
    };
  }
}
