import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.guard.js';
import { CreateConsoleSessionBody } from './operator.dto.js';
import { ConsoleSignIn } from './console-sign-in.js';

@ApiTags('Operator')
@Controller('v1/console/sessions')
export class ConsoleSessionsController {
  constructor(private readonly signIn: ConsoleSignIn) {}

  /** Public: the code is the credential, good once. */
  @Post()
  @Public()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: "Exchange the start banner's one-time console sign-in code for a session token (local mode)" })
  async create(@Body() body: CreateConsoleSessionBody) {
    return this.signIn.exchange(body.code);
  }
}
