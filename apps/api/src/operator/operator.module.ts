import { Module } from '@nestjs/common';
import { ConsoleSessionsController } from './console-sessions.controller.js';
import { ConsoleSignIn } from './console-sign-in.js';
import { OperatorController } from './operator.controller.js';
import { OperatorGuard } from './operator.guard.js';
import { OperatorProjections } from './operator-projections.js';
import { OperatorReads } from './operator-reads.js';

/** The operator console's API (`/v1/operator/*`) and its local-mode sign-in; exports the sign-in for the start banner. */
@Module({
  controllers: [OperatorController, ConsoleSessionsController],
  providers: [OperatorGuard, OperatorProjections, OperatorReads, ConsoleSignIn],
  exports: [ConsoleSignIn],
})
export class OperatorModule {}
