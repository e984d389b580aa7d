import { IsIn, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { TIME_RANGES, type TimeRange } from '#read-models';
import { DecimalInteger } from '../common/decimal-integer.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';

const RANGES = Object.keys(TIME_RANGES);

export class StatisticsQuery extends ConsistentQuery {
  /** Hours back from now; up to ten years. */
  @IsOptional()
  @DecimalInteger()
  @IsInt()
  @Min(1)
  @Max(87_600)
  hours: number = 24;
}

export class RecentJobsQuery extends ConsistentQuery {
  @IsOptional()
  @DecimalInteger()
  @IsInt()
  @Min(1)
  @Max(50)
  limit: number = 10;
}

export class RangeQuery extends ConsistentQuery {
  @IsOptional()
  @IsIn(RANGES, { message: `range must be one of ${RANGES.join(', ')}` })
  range: TimeRange = '24h';
}

export class CompareQuery extends ConsistentQuery {
  @IsISO8601({ strict: true }, { message: 'currentStart must be an ISO 8601 date-time' })
  currentStart!: string;

  @IsISO8601({ strict: true }, { message: 'currentEnd must be an ISO 8601 date-time' })
  currentEnd!: string;

  @IsISO8601({ strict: true }, { message: 'previousStart must be an ISO 8601 date-time' })
  previousStart!: string;

  @IsISO8601({ strict: true }, { message: 'previousEnd must be an ISO 8601 date-time' })
  previousEnd!: string;
}
