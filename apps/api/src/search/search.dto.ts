import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

export const MAX_CONTENT_IDS = 50;
export const MAX_QUERY_LENGTH = 1000;
export const MAX_TOP_K = 100;
export const DEFAULT_TOP_K = 10;
const MAX_ID_LENGTH = 191;
const MAX_LABELS = 20;
const MAX_LABEL_LENGTH = 200;

/** `ContentsRequestSchema`: 1–50 document ids. */
export class ContentsBody {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CONTENT_IDS)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(MAX_ID_LENGTH, { each: true })
  ids!: string[];
}

export class SearchFilters {
  @IsArray()
  @ArrayMaxSize(MAX_LABELS)
  @IsString({ each: true })
  @MaxLength(MAX_LABEL_LENGTH, { each: true })
  labels!: string[];
}

/** `SearchRequestSchema`; a `store:<slug>` label is required (checked by the controller, naming `filters.labels`). */
export class SearchBody {
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_QUERY_LENGTH)
  query!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TOP_K)
  topK: number = DEFAULT_TOP_K;

  @IsOptional()
  @ValidateNested()
  @Type(() => SearchFilters)
  filters?: SearchFilters;

  @IsOptional()
  @IsBoolean()
  includeHighlights: boolean = true;

  /**
   * Adds the vector leg (fused with full text by reciprocal rank) when the store embeds with a
   * configured provider; without one, full-text ranking as when unset.
   */
  @IsOptional()
  @IsBoolean()
  semantic: boolean = false;
}
