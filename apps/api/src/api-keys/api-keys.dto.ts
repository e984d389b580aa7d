import { applyDecorators } from '@nestjs/common';
import { IsISO8601, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateBy } from 'class-validator';
import { API_KEY_NAME_MAX_LENGTH } from '#domain';

/**
 * A date (`2027-01-01`, midnight UTC) or a date-time with an explicit zone. A zone-less date-time is
 * refused: JavaScript would read it in the server's local time zone.
 */
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** The decider checks this again against the command's time; this check names the field in the 400. */
const IsInTheFuture = () =>
  ValidateBy({
    name: 'isInTheFuture',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && Date.parse(value) > Date.now(),
      defaultMessage: () => 'expiresAt must be in the future',
    },
  });

const NOT_BLANK = /\S/;

/** The rules of a key name, shared by create (required) and rotate (optional). */
const KeyName = () =>
  applyDecorators(IsString(), MinLength(1), MaxLength(API_KEY_NAME_MAX_LENGTH), Matches(NOT_BLANK, { message: 'name must not be blank' }));

/** Absent or null: the key never expires. */
const ExpiresAt = () =>
  applyDecorators(
    IsOptional(),
    IsString(),
    Matches(INSTANT, { message: 'expiresAt must be an ISO 8601 date or date-time with a time zone, e.g. 2027-01-01T00:00:00Z' }),
    IsISO8601({ strict: true }, { message: 'expiresAt must be a valid ISO 8601 date' }),
    IsInTheFuture(),
  );

export class CreateApiKeyBody {
  @KeyName()
  name!: string;

  @ExpiresAt()
  expiresAt?: string | null;
}

/** Both optional: by default the new key keeps the old key's name and expiry; `expiresAt: null` removes the expiry. */
export class RotateApiKeyBody {
  @IsOptional()
  @KeyName()
  name?: string | null;

  @ExpiresAt()
  expiresAt?: string | null;
}

/** `key` is the secret, in the response that created it only; null when a retried request is answered from the stored events. */
export interface CreatedApiKey {
  readonly id: string;
  readonly name: string;
  readonly key: string | null;
  readonly keyPreview: string;
  readonly expiresAt: string | null;
  readonly createdAt: string;
  readonly position: string | null;
}
