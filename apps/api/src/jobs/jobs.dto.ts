import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateBy } from 'class-validator';
import { JOB_STATUSES, type JobStatus } from '#domain';
import { decodeCursor } from '#read-models';
import { DecimalInteger } from '../common/decimal-integer.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';

/** Only a cursor this endpoint emitted: anything crafted is a 400 naming `cursor`, never a 500. */
const IsJobCursor = () =>
  ValidateBy({
    name: 'isJobCursor',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && decodeCursor(value) !== null,
      defaultMessage: () => 'cursor is not a cursor returned by this endpoint',
    },
  });

export class ListJobsQuery extends ConsistentQuery {
  @IsOptional()
  @IsIn(JOB_STATUSES, { message: `status must be one of ${JOB_STATUSES.join(', ')}` })
  status?: JobStatus;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(191)
  repositoryId?: string;

  @IsOptional()
  @DecimalInteger()
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @IsOptional()
  @IsString()
  @MaxLength(300)
  @IsJobCursor()
  cursor?: string;
}
