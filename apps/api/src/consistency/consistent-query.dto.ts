import { IsOptional, IsString } from 'class-validator';

/** Every query accepts `minPosition` (validated by ConsistentReadInterceptor). */
export class ConsistentQuery {
  @IsOptional()
  @IsString()
  minPosition?: string;
}
