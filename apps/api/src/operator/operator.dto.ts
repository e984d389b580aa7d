import { applyDecorators } from '@nestjs/common';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PROJECTIONS } from '#read-models';
import { DecimalInteger } from '../common/decimal-integer.js';

const PROJECTION_NAMES = PROJECTIONS.map((p) => p.name);
const POSITION = /^\d{1,20}\/\d{1,20}$/;
const EVENT_TYPE_LIST = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}(,[A-Za-z][A-Za-z0-9_.:-]{0,99}){0,19}$/;

const Limit = () => applyDecorators(IsOptional(), DecimalInteger(), IsInt(), Min(1), Max(200));

export class ListDeadLettersQuery {
  @IsOptional()
  @IsIn(PROJECTION_NAMES, { message: `projection must be one of ${PROJECTION_NAMES.join(', ')}` })
  projection?: string;

  @Limit()
  limit: number = 50;

  /** The `next` of the previous page: a dead letter id. */
  @IsOptional()
  @IsString()
  @Matches(/^[1-9]\d{0,17}$/, { message: 'before must be a dead letter id (the next of the previous page)' })
  before?: string;
}

export class ListEventsQuery {
  /** The `next` of the previous page: events strictly older than this position. */
  @IsOptional()
  @IsString()
  @Matches(POSITION, { message: 'before must be a position such as 123/45 (the next of the previous page)' })
  before?: string;

  @Limit()
  limit: number = 50;

  /** One event type, or several separated by commas. */
  @IsOptional()
  @IsString()
  @Matches(EVENT_TYPE_LIST, { message: 'type must be an event type name, or up to 20 separated by commas' })
  type?: string;
}

export class StreamEventsQuery {
  /** The `next` of the previous page: events after this revision. */
  @IsOptional()
  @IsString()
  @Matches(/^(0|[1-9]\d{0,17})$/, { message: 'after must be a stream revision (the next of the previous page)' })
  after?: string;

  @Limit()
  limit: number = 50;
}

export class CreateConsoleSessionBody {
  /** The one-time code from the sign-in link the start banner printed (`/console/#code=…`). */
  @IsString()
  @MinLength(16)
  @MaxLength(200)
  code!: string;
}
