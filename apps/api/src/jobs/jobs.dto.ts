import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { JOB_STATUSES, type JobStatus } from '#domain';
import { DecimalInteger } from '../common/decimal-integer.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';

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
  cursor?: string;
}

export interface JobView {
  readonly id: string;
  readonly clerkOrgId: string;
  readonly workspaceId: string;
  readonly repositoryId: string | null;
  readonly name: string;
  readonly status: JobStatus;
  readonly trigger: string;
  readonly triggeredBy: string | null;
  readonly input: unknown;
  readonly output: unknown;
  readonly progress: unknown;
  readonly errorMessage: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  /** A number (the original stored a string). Null until the job ends, and for cancelled jobs. */
  readonly durationMs: number | null;
  readonly updatedAt: string;
}
