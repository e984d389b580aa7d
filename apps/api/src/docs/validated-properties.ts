import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { ValidationTypes, getMetadataStorage } from 'class-validator';

type Constructor = new (...args: never[]) => unknown;

const PRIMITIVES: ReadonlyArray<unknown> = [String, Number, Boolean];
const ELEMENT_TYPES: Record<string, StringConstructor | NumberConstructor | BooleanConstructor> = {
  isString: String,
  isInt: Number,
  isNumber: Number,
  isBoolean: Boolean,
};

/** The JSON type a rule implies, for properties whose design type is a union (`string | null` is `Object`). */
const RULE_TYPES: Record<string, 'string' | 'integer' | 'number' | 'boolean'> = {
  isString: 'string',
  isISO8601: 'string',
  isDateString: 'string',
  isNumberString: 'string',
  isUUID: 'string',
  isInt: 'integer',
  isNumber: 'number',
  isBoolean: 'boolean',
};

const described = new WeakSet<Constructor>();

/**
 * Gives swagger the properties of a class-validator DTO, which it cannot see without the Nest CLI
 * plugin (we build with swc): each validated property becomes an `@ApiProperty`, required unless
 * `@IsOptional()`, with its `@IsIn` values as an enum. Nested DTOs (by design type) are described too.
 */
export function describeValidatedProperties(dto: Constructor, docs: Readonly<Record<string, Readonly<Record<string, string>>>> = {}): void {
  if (described.has(dto)) return;
  described.add(dto);
  const byProperty = getMetadataStorage().groupByPropertyName(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false));
  for (const [property, rules] of Object.entries(byProperty)) {
    const designType: unknown = Reflect.getMetadata('design:type', dto.prototype as object, property);
    const options: ApiPropertyOptions = { required: !rules.some((r) => r.type === ValidationTypes.CONDITIONAL_VALIDATION) };
    const description = docOf(dto, property, docs);
    if (description) options.description = description;
    const isIn = rules.find((r) => r.name === 'isIn');
    const ruleType = rules.map((r) => (r.each ? undefined : RULE_TYPES[r.name ?? ''])).find(Boolean);
    if (isIn) {
      const values = [...(isIn.constraints[0] as unknown[])];
      Object.assign(options, { enum: values, type: typeof values[0] === 'number' ? 'number' : 'string' });
    } else if (designType === Array) {
      const element = rules.map((r) => (r.each ? ELEMENT_TYPES[r.name ?? ''] : undefined)).find(Boolean);
      // An array of nested DTOs names its class only through class-transformer's `@Type`: left open.
      Object.assign(options, element ? { type: element, isArray: true } : { type: 'array', items: { type: 'object' } });
    } else if (typeof designType === 'function' && designType !== Object && !PRIMITIVES.includes(designType)) {
      describeValidatedProperties(designType as Constructor, docs);
    } else if (ruleType && (ruleType === 'integer' || designType === Object || designType === undefined)) {
      Object.assign(options, { type: ruleType });
    } else if (designType === Object || designType === undefined) {
      Object.assign(options, { type: 'object' });
    }
    ApiProperty(options)(dto.prototype as object, property);
  }
}

/** The property's doc comment (from the generated descriptions), on its class or the class it extends. */
function docOf(dto: Constructor, property: string, docs: Readonly<Record<string, Readonly<Record<string, string>>>>): string | undefined {
  for (let c: unknown = dto; typeof c === 'function' && c !== Object && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const text = docs[(c as Constructor).name]?.[property];
    if (text) return text;
  }
  return undefined;
}
