import { Transform } from 'class-transformer';

const DECIMAL = /^-?\d{1,15}$/;

/**
 * A query-string integer in plain decimal digits. `Number()` (and `@Type(() => Number)`) also reads
 * `0x10`, `1e3`, ` 5`, `+5`, `0b1` and `''`; those stay strings here, so `@IsInt()` answers a 400
 * naming the field instead of a silent reinterpretation.
 */
export const DecimalInteger = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value));
