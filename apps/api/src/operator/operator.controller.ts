import { Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type pg from 'pg';
import { DomainError } from '#domain';
import type { CommandContext, EventStore } from '#event-store';
import type { Principal } from '#adapters';
import {
  EVENT_STORE,
  PROJECTOR_POOL,
  UnknownProjectionError,
  listDeadLetters,
  requestProjectionRebuild,
  retryDeadLetter,
  skipDeadLetter,
} from '#runtime';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { ApiError } from '../common/api-error.js';
import { CommandId } from '../common/command-context.js';
import { ListDeadLettersQuery, ListEventsQuery, StreamEventsQuery } from './operator.dto.js';
import { OperatorGuard } from './operator.guard.js';
import { OperatorProjections } from './operator-projections.js';
import { OperatorReads } from './operator-reads.js';

/**
 * The operator console's API: projections, dead letters, the event log and the ingestion queue,
 * across every organization, for operators only (`OperatorGuard`). Each change is a command
 * appended to an `operator-…` stream, with the operator's user id.
 */
@ApiTags('Operator')
@Controller('v1/operator')
@UseGuards(OperatorGuard)
export class OperatorController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTOR_POOL) private readonly pool: pg.Pool,
    private readonly projections: OperatorProjections,
    private readonly reads: OperatorReads,
  ) {}

  @Get('projections')
  @ApiOperation({ summary: 'Every projection: position, lag, events/s, generation, status, writer process, rebuild progress' })
  async listProjections() {
    return { projections: await this.projections.list() };
  }

  @Post('projections/:name/rebuild')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Request a blue/green rebuild of a projection; a projector daemon runs it (progress in the list)' })
  async rebuild(@CurrentPrincipal() principal: Principal, @Param('name') name: string, @CommandId() context: CommandContext) {
    try {
      const { position, requestId } = await requestProjectionRebuild(
        { store: this.store, db: this.pool },
        { projection: name, by: principal.userId, context },
      );
      return { position, requestId };
    } catch (error) {
      if (error instanceof UnknownProjectionError)
        throw new ApiError(HttpStatus.NOT_FOUND, 'projection_not_found', error.message, { projection: name });
      if (error instanceof DomainError && error.code === 'conflict')
        throw new ApiError(HttpStatus.CONFLICT, 'rebuild_in_progress', error.message, error.details);
      throw error;
    }
  }

  @Get('dead-letters')
  @ApiOperation({ summary: 'Events projections could not apply (active generations), newest first, with the event and its error' })
  async listDeadLetters(@Query() query: ListDeadLettersQuery) {
    return listDeadLetters(this.pool, query);
  }

  @Post('dead-letters/:id/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Apply a dead letter's event to its projection again now; audited as DeadLetterRetried" })
  async retryDeadLetter(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @CommandId() context: CommandContext) {
    return retryDeadLetter({ store: this.store, pool: this.pool }, { deadLetterId: id, by: principal.userId, context });
  }

  @Post('dead-letters/:id/skip')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Give up on a dead letter (its event stays unapplied); audited as DeadLetterSkipped' })
  async skipDeadLetter(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @CommandId() context: CommandContext) {
    return skipDeadLetter({ store: this.store, pool: this.pool }, { deadLetterId: id, by: principal.userId, context });
  }

  @Get('events')
  @ApiOperation({ summary: "The event log's tail, newest first, paged by position, optionally of some types" })
  async tail(@Query() query: ListEventsQuery) {
    return this.reads.tail({ before: query.before, limit: query.limit, types: query.type?.split(',') });
  }

  @Get('streams/:streamId/events')
  @ApiOperation({ summary: "One stream's events in revision order, paged by revision" })
  async stream(@Param('streamId') streamId: string, @Query() query: StreamEventsQuery) {
    if (streamId.length > 300) throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid_request', 'streamId: must be at most 300 characters');
    return this.reads.stream(streamId, query);
  }

  @Get('ingestion')
  @ApiOperation({ summary: 'The ingestion queue, running jobs with their progress, and recent failures with their codes' })
  async ingestion() {
    return this.reads.ingestion();
  }
}
