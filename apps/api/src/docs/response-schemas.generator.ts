import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

/**
 * The success bodies of the OpenAPI description, derived from the TypeScript return types of the
 * controllers' handlers: the type a handler returns is the one definition of its answer, whether
 * written out or inferred from a query. We build with swc, so types are erased before run time;
 * this runs the type checker at development time (`npm run docs:schemas`) and writes
 * `response-schemas.generated.ts`. `response-schemas.spec.ts` fails when that file is stale.
 *
 * OpenAPI 3.0 schemas: `Date` is a `date-time` string (as JSON serializes it), `null` in a union is
 * `nullable`, `undefined` makes a property optional (JSON drops it), named interfaces, classes and
 * type aliases of our own code become components. The doc comments of request DTO properties are
 * collected too (`dtoDescriptions`), for validated-properties.ts.
 */

export type Schema = { [key: string]: unknown };

export interface ResponseSchemas {
  /** By operation id (`Controller_method`); null when the handler writes its answer itself (`@Res()`, void). */
  readonly operations: Record<string, Schema | null>;
  readonly schemas: Record<string, Schema>;
  /** The doc comments of request DTO properties, by class and property: swagger cannot see them. */
  readonly dtoDescriptions: Record<string, Record<string, string>>;
}

const ROUTE_DECORATORS = new Set(['Get', 'Post', 'Put', 'Patch', 'Delete', 'All', 'Options', 'Head']);
const MAX_DEPTH = 12;
export const GENERATED_FILE = 'apps/api/src/docs/response-schemas.generated.ts';
/** Named here rather than derived: the error body is one schema whatever the route. */
const EXTRA_TYPES: ReadonlyArray<{ file: string; type: string; as: string }> = [
  { file: 'apps/api/src/common/api-error.ts', type: 'ApiErrorBody', as: 'ErrorBody' },
];

export function controllerFiles(root: string): string[] {
  const base = join(root, 'apps/api/src');
  return (readdirSync(base, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.controller.ts'))
    .map((f) => join(base, f))
    .sort();
}

export function generateResponseSchemas(root: string): ResponseSchemas {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error(`cannot read ${configPath}`);
  const files = controllerFiles(root);
  const extras = EXTRA_TYPES.map((e) => ({ ...e, file: join(root, e.file) }));
  const program = ts.createProgram([...files, ...extras.map((e) => e.file)], { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const converter = new SchemaConverter(checker, root);
  const operations: Record<string, Schema | null> = {};

  for (const extra of extras) {
    const source = program.getSourceFile(extra.file);
    const symbol = source && checker.getSymbolAtLocation(source);
    const exported = symbol && checker.getExportsOfModule(symbol).find((s) => s.name === extra.type);
    if (!exported) throw new Error(`${extra.type} is not exported by ${extra.file}`);
    converter.register(checker.getDeclaredTypeOfSymbol(exported), extra.as);
  }

  for (const file of files) {
    const source = program.getSourceFile(file)!;
    for (const statement of source.statements) {
      if (!ts.isClassDeclaration(statement) || !statement.name || !decoratorNames(statement).includes('Controller')) continue;
      for (const member of statement.members) {
        if (!ts.isMethodDeclaration(member) || !ts.isIdentifier(member.name)) continue;
        if (!decoratorNames(member).some((d) => ROUTE_DECORATORS.has(d))) continue;
        const signature = checker.getSignatureFromDeclaration(member)!;
        const returned = checker.getReturnTypeOfSignature(signature);
        const body = checker.getAwaitedType(returned) ?? returned;
        const id = `${statement.name.text}_${member.name.text}`;
        operations[id] = body.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined) ? null : converter.toSchema(body, 0);
      }
    }
  }
  return { operations: sortKeys(operations), schemas: sortKeys(converter.schemas), dtoDescriptions: dtoDescriptions(program, root) };
}

/** Classes of the API's sources whose decorated properties have a doc comment. */
function dtoDescriptions(program: ts.Program, root: string): Record<string, Record<string, string>> {
  const checker = program.getTypeChecker();
  const found: Record<string, Record<string, string>> = {};
  const base = join(root, 'apps/api/src') + sep;
  for (const source of program.getSourceFiles()) {
    if (!resolve(source.fileName).startsWith(base) || /\.(spec|e2e)\.ts$/.test(source.fileName)) continue;
    for (const statement of source.statements) {
      if (!ts.isClassDeclaration(statement) || !statement.name) continue;
      const properties: Record<string, string> = {};
      for (const member of statement.members) {
        if (!ts.isPropertyDeclaration(member) || !ts.isIdentifier(member.name) || decoratorNames(member).length === 0) continue;
        const symbol = checker.getSymbolAtLocation(member.name);
        const text = symbol && ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
        if (text) properties[member.name.text] = text.replace(/\s*\n\s*/g, ' ');
      }
      if (Object.keys(properties).length === 0) continue;
      const name = statement.name.text;
      if (found[name]) throw new Error(`two documented DTO classes are named ${name}: rename one`);
      found[name] = properties;
    }
  }
  return sortKeys(found);
}

const decoratorNames = (node: ts.HasDecorators): string[] =>
  (ts.getDecorators(node) ?? []).flatMap((d) =>
    ts.isCallExpression(d.expression) && ts.isIdentifier(d.expression.expression) ? [d.expression.expression.text] : [],
  );

const sortKeys = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

class SchemaConverter {
  readonly schemas: Record<string, Schema> = {};
  /** Named types by their symbol; a name taken by another type of the same name gets a suffix. */
  private readonly names = new Map<ts.Symbol | ts.Type, string>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly root: string,
  ) {}

  register(type: ts.Type, name: string): void {
    this.names.set(type.aliasSymbol ?? type.symbol, name);
    this.schemas[name] = {};
    this.schemas[name] = this.objectSchema(type, 0);
  }

  toSchema(type: ts.Type, depth: number): Schema {
    if (depth > MAX_DEPTH) return {};
    const f = type.flags;
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (f & ts.TypeFlags.StringLiteral) return { type: 'string', enum: [(type as ts.StringLiteralType).value] };
    if (f & ts.TypeFlags.NumberLiteral) return { type: 'number', enum: [(type as ts.NumberLiteralType).value] };
    if (f & ts.TypeFlags.BooleanLiteral) return { type: 'boolean', enum: [type === this.checker.getTrueType()] };
    if (f & ts.TypeFlags.String) return { type: 'string' };
    if (f & ts.TypeFlags.Number) return { type: 'number' };
    if (f & ts.TypeFlags.Boolean) return { type: 'boolean' };
    if (f & (ts.TypeFlags.BigInt | ts.TypeFlags.TemplateLiteral)) return { type: 'string' };
    if (f & ts.TypeFlags.Null || this.isJsonNull(type)) return { nullable: true };
    if (type.isUnion()) return this.unionSchema(type, depth);
    if (type.isIntersection()) {
      // A branded primitive (`string & { __brand }`) is the primitive.
      const primitive = type.types.find((t) => t.flags & (ts.TypeFlags.String | ts.TypeFlags.Number | ts.TypeFlags.Boolean));
      if (primitive) return this.toSchema(primitive, depth);
    }
    if (f & ts.TypeFlags.Object || type.isIntersection()) return this.objectOrReference(type, depth);
    return {};
  }

  private unionSchema(type: ts.UnionType, depth: number): Schema {
    const nullable = type.types.some((t) => t.flags & ts.TypeFlags.Null || this.isJsonNull(t));
    let members = type.types.filter(
      (t) => !(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void)) && !this.isJsonNull(t),
    );
    const booleans = members.filter((t) => t.flags & ts.TypeFlags.BooleanLiteral);
    if (booleans.length === 2) members = [...members.filter((t) => !booleans.includes(t)), this.checker.getBooleanType()];
    const schemas = members.map((t) => this.toSchema(t, depth + 1));
    const withNull = (schema: Schema): Schema => {
      if (!nullable) return schema;
      return schema.$ref ? { nullable: true, allOf: [schema] } : { ...schema, nullable: true };
    };
    if (schemas.length === 0) return { nullable: true };
    if (schemas.length === 1) return withNull(schemas[0]!);
    const literalType = schemas.every((s) => Array.isArray(s.enum) && !s.nullable && s.type === schemas[0]!.type) ? schemas[0]!.type : null;
    if (literalType) return withNull({ type: literalType, enum: schemas.flatMap((s) => s.enum as unknown[]) });
    const unique = [...new Map(schemas.map((s) => [JSON.stringify(s), s])).values()];
    return withNull(unique.length === 1 ? unique[0]! : { oneOf: unique });
  }

  private objectOrReference(type: ts.Type, depth: number): Schema {
    const symbol = type.getSymbol();
    if (symbol?.name === 'Date' && this.isLibrary(symbol)) return { type: 'string', format: 'date-time' };
    if (this.checker.isTupleType(type)) {
      const elements = this.checker.getTypeArguments(type as ts.TypeReference);
      const items = [...new Map(elements.map((t) => this.toSchema(t, depth + 1)).map((s) => [JSON.stringify(s), s])).values()];
      return {
        type: 'array',
        items: items.length === 1 ? items[0] : { oneOf: items },
        minItems: elements.length,
        maxItems: elements.length,
      };
    }
    if (this.checker.isArrayType(type)) {
      const [element] = this.checker.getTypeArguments(type as ts.TypeReference);
      return { type: 'array', items: element ? this.toSchema(element, depth + 1) : {} };
    }
    const named = this.nameOf(type);
    if (!named) return this.objectSchema(type, depth);
    const existing = this.names.get(named.key);
    if (existing) return { $ref: `#/components/schemas/${existing}` };
    let name = named.name;
    for (let n = 2; this.schemas[name] !== undefined; n++) name = `${named.name}${n}`;
    this.names.set(named.key, name);
    this.schemas[name] = {}; // taken before the walk, so a recursive type refers to itself
    this.schemas[name] = this.objectSchema(type, 0);
    return { $ref: `#/components/schemas/${name}` };
  }

  /** Interfaces, classes and type aliases declared in our own sources, not instantiated generics. */
  private nameOf(type: ts.Type): { key: ts.Symbol; name: string } | null {
    if (type.aliasSymbol && !type.aliasTypeArguments?.length && this.isOwn(type.aliasSymbol)) {
      return { key: type.aliasSymbol, name: type.aliasSymbol.name };
    }
    const symbol = type.getSymbol();
    if (!symbol || !(symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class)) || !this.isOwn(symbol)) return null;
    if ((type as ts.TypeReference).typeArguments?.length || this.checker.getTypeArguments(type as ts.TypeReference).length) return null;
    return { key: symbol, name: symbol.name };
  }

  private objectSchema(type: ts.Type, depth: number): Schema {
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const property of this.checker.getPropertiesOfType(type)) {
      if (property.flags & ts.SymbolFlags.Method) continue;
      const propertyType = this.checker.getTypeOfSymbol(property);
      // `undefined` alone: a member of a union of object literals that lacks the property.
      if (propertyType.getCallSignatures().length > 0 || propertyType.flags & ts.TypeFlags.Undefined) continue;
      let schema = this.toSchema(propertyType, depth + 1);
      const description = ts.displayPartsToString(property.getDocumentationComment(this.checker)).trim();
      const example = property.getJsDocTags(this.checker).find((t) => t.name === 'example');
      if (description) schema = schema.$ref ? { description, allOf: [schema] } : { ...schema, description };
      if (example?.text) schema = { ...schema, example: parseExample(ts.displayPartsToString(example.text)) };
      properties[property.name] = schema;
      const optional =
        property.flags & ts.SymbolFlags.Optional ||
        (propertyType.isUnion() && propertyType.types.some((t) => t.flags & ts.TypeFlags.Undefined));
      if (!optional) required.push(property.name);
    }
    const [index] = this.checker.getIndexInfosOfType(type).filter((i) => i.keyType.flags & ts.TypeFlags.String);
    const schema: Schema = { type: 'object' };
    if (Object.keys(properties).length > 0) schema.properties = properties;
    if (required.length > 0) schema.required = required;
    if (index) schema.additionalProperties = this.toSchema(index.type, depth + 1);
    return schema;
  }

  /** `JsonNull` (integrations/json-null.ts): the string `null` sent as a JSON body, which the client parses as null. */
  private isJsonNull(type: ts.Type): boolean {
    return type.aliasSymbol?.name === 'JsonNull' && this.isOwn(type.aliasSymbol);
  }

  private isOwn(symbol: ts.Symbol): boolean {
    const file = symbol.declarations?.[0]?.getSourceFile().fileName;
    return !!file && !relative(this.root, file).split(sep).includes('node_modules') && !relative(this.root, file).startsWith('..');
  }

  private isLibrary(symbol: ts.Symbol): boolean {
    return !!symbol.declarations?.every((d) => d.getSourceFile().hasNoDefaultLib || d.getSourceFile().fileName.includes('node_modules'));
  }
}

function parseExample(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The generated module's text, formatted as the repository's prettier formats it. */
export async function renderGeneratedFile(root: string, schemas: ResponseSchemas): Promise<string> {
  const prettier = await import('prettier');
  const file = join(root, GENERATED_FILE);
  const text = [
    '// Generated by response-schemas.generator.ts from the return types of the controllers (`npm run docs:schemas`): do not edit.',
    "import type { ResponseSchemas } from './response-schemas.generator.js';",
    '',
    `export const responseSchemas: ResponseSchemas = ${JSON.stringify(schemas)};`,
    '',
  ].join('\n');
  return prettier.format(text, { ...(await prettier.resolveConfig(file)), filepath: file });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = process.cwd();
  const schemas = generateResponseSchemas(root);
  writeFileSync(join(root, GENERATED_FILE), await renderGeneratedFile(root, schemas));
  console.log(`${Object.keys(schemas.operations).length} operations, ${Object.keys(schemas.schemas).length} schemas → ${GENERATED_FILE}`);
}
