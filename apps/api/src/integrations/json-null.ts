/**
 * Nest answers a handler's `null` with an empty body; these routes answer JSON `null` (as the
 * original procedures did) so clients can always parse the body. Pair with
 * `@Header('Content-Type', 'application/json; charset=utf-8')`: the string is then sent as is.
 */
/** Branded so the OpenAPI generator (response-schemas.generator.ts) documents what the client parses: `null`. */
export type JsonNull = 'null' & { readonly __jsonNull: true };

export const jsonOrNull = <T extends object>(value: T | null): T | JsonNull => value ?? ('null' as JsonNull);
