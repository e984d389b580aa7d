import type { OpenAPIObject } from '@nestjs/swagger';
import type { ResponseSchemas, Schema } from './response-schemas.generator.js';

/** What the controller scan knows of an operation, by operation id (`Controller_method`). */
export interface OperationFacts {
  readonly access: 'session' | 'key' | 'public';
  /** Takes `@CommandId()`: honours `Idempotency-Key`. */
  readonly command: boolean;
  readonly rateLimited: boolean;
}

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
type Parameter = { name: string; in: string; description?: string; example?: unknown; required?: boolean; schema?: Schema };
type MediaType = { schema?: Schema; example?: unknown };
type Response = { description: string; content?: Record<string, MediaType> };

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const ERROR_REF = { $ref: '#/components/schemas/ErrorBody' };

/** Each status's shared response, under `components.responses` as `Error<status>`. */
const ERRORS: Record<number, { description: string; example: unknown }> = {
  400: {
    description: 'Invalid input: every offending field is named in `details.fields`.',
    example: {
      error: {
        code: 'invalid_request',
        message: 'name: must be a string',
        details: { fields: [{ field: 'name', messages: ['must be a string'] }] },
      },
    },
  },
  401: {
    description: 'No token, or a token (session or API key) that does not verify, is revoked or expired.',
    example: { error: { code: 'unauthenticated', message: 'The API key has been revoked' } },
  },
  403: {
    description: 'Authenticated, but not allowed: not a member of the organization, not an admin, or an API key on a session route.',
    example: { error: { code: 'forbidden', message: 'You are not a member of organization "acme"' } },
  },
  404: {
    description: 'A resource named in the path (or `X-Workspace-ID`) does not exist, or is not visible to the caller.',
    example: { error: { code: 'not_found', message: 'Workspace "docs" not found' } },
  },
  409: {
    description: 'Conflict with the current state, or a concurrent change to the same resource (`version_conflict`: retry).',
    example: { error: { code: 'version_conflict', message: 'The resource was changed concurrently; retry the request' } },
  },
  422: {
    description:
      'A valid request the current state refuses (`refused`, `quota_exceeded`), or an `Idempotency-Key` reused for another request.',
    example: {
      error: {
        code: 'idempotency_key_reused',
        message: 'This Idempotency-Key was already used for a different request (another route or body); use a new key',
      },
    },
  },
  429: {
    description: 'A rate limit is spent (per API key, organization, or client address for failed authentications); see `Retry-After`.',
    example: {
      error: {
        code: 'rate_limited',
        message: 'Too many searches from this API key: the limit is 600 per 60 s (RATE_LIMIT_SEARCH); retry in 12 s',
        details: { limit: 'search', setting: 'RATE_LIMIT_SEARCH', max: 600, windowSeconds: 60, retryAfterSeconds: 12 },
      },
    },
  },
  503: {
    description:
      'A dependency is down or slow (`unavailable`, `query_timeout`), or a read model has not reached `minPosition` in time (`not_yet_consistent`); see `Retry-After`.',
    example: {
      error: {
        code: 'not_yet_consistent',
        message: 'The workspaces read model has not caught up yet; retry shortly',
        details: { projection: 'workspaces' },
      },
    },
  },
};

/** Parameters described by name: the same name means the same thing on every route. */
const PARAMETERS: Record<string, { description: string; example?: unknown }> = {
  'path org': { description: 'The organization, by its slug.', example: 'acme' },
  'path ws': { description: 'The workspace, by its name within the organization.', example: 'docs' },
  'path clerkOrgId': { description: 'The organization, by its Clerk id.', example: 'org_2pQm8X1b7yRZ0aKc' },
  'path jobId': { description: 'The job id.', example: '7c0e5d1a-3b9f-4e2a-8d61-5f4b2c9a0e13' },
  'path slug': { description: 'The store slug (lowercase letters, digits and hyphens).', example: 'docs' },
  'path installationId': { description: 'The GitHub App installation id.', example: '51234567' },
  'path owner': { description: 'The GitHub repository owner (user or organization login).', example: 'acme' },
  'path repo': { description: 'The GitHub repository name.', example: 'handbook' },
  'path resourceId': {
    description: 'The integration resource id (a repository of the caller’s GitHub integration).',
    example: '1f3a9c2e-6b7d-4e8f-9a0b-2c4d6e8f0a1b',
  },
  'query minPosition': {
    description:
      'Read your own writes: a `position` a command answered with. The read waits until the read model has applied it (a bounded wait, then 503 `not_yet_consistent`).',
    example: '1042',
  },
  'query status': { description: 'Only jobs in this status.', example: 'failed' },
  'query repositoryId': { description: 'Only jobs of this repository.', example: '123456789' },
  'query limit': { description: 'How many items at most.', example: 20 },
  'query cursor': { description: 'The `nextCursor` of the previous page.' },
  'query hours': { description: '', example: 24 },
  'query range': { description: 'The time range, back from now.', example: '7d' },
  'query includeInactive': { description: 'Also list disconnected (inactive) repositories.', example: 'true' },
  'query ref': { description: 'The branch, tag or commit to read the config file at; the default branch when absent.', example: 'main' },
  'query repoFullName': { description: 'The repository, as `owner/name`.', example: 'acme/handbook' },
  'query currentStart': { description: 'Start of the current period (ISO 8601 date-time).', example: '2026-11-24T00:00:00Z' },
  'query currentEnd': { description: 'End of the current period (ISO 8601 date-time).', example: '2026-12-01T00:00:00Z' },
  'query previousStart': { description: 'Start of the period to compare with (ISO 8601 date-time).', example: '2026-11-17T00:00:00Z' },
  'query previousEnd': { description: 'End of the period to compare with (ISO 8601 date-time).', example: '2026-11-24T00:00:00Z' },
  'header X-Workspace-ID': { description: 'The workspace the key acts in (its id).', example: 'b3c1f0e2-9a4d-4f6e-8c2b-7d5e1a0f3c94' },
  'header Idempotency-Key': {
    description:
      'Makes the command idempotent (1–200 characters): a retry with the same key answers as the first request did, and appends nothing. The same key on another route or body is a 422.',
    example: 'reindex-2026-12-04-01',
  },
};

/** Names whose meaning depends on the route: by the path segment before a path parameter, or the path's last segment for a query parameter. */
const BY_SEGMENT: Record<string, { description: string; example?: unknown }> = {
  'api-keys/{id}': { description: 'The API key id.' },
  'integrations/{id}': { description: 'The GitHub integration id (see `GET /v1/me/integrations`).' },
  'repositories/{id}': { description: 'The repository id.' },
  'sources/{id}': { description: 'The source id (see `GET …/sources`).' },
  'dead-letters/{id}': { description: 'The dead letter id.', example: '17' },
  'projections/{name}': { description: 'The projection name.', example: 'jobs' },
  'streams/{streamId}': { description: 'The stream id.', example: 'workspace-3f1d2c4b-8a7e-4b6f-9c0d-1e2f3a4b5c6d' },
  'dead-letters?projection': { description: 'Only the dead letters of this projection.', example: 'jobs' },
  'events?type': { description: '', example: 'JobQueued,JobFailed' },
};

/**
 * Completes every operation of the document swagger built from the route metadata: success bodies
 * from the generated response schemas, one `ErrorBody` for every error response, the parameters
 * described by name, `Idempotency-Key` on commands, and examples derived from the schemas.
 */
export function describeOperations(document: OpenAPIObject, facts: ReadonlyMap<string, OperationFacts>, generated: ResponseSchemas): void {
  const components = (document.components ??= {});
  const schemas = (components.schemas ??= {}) as Record<string, Schema>;
  for (const [name, schema] of Object.entries(generated.schemas)) {
    if (schemas[name] !== undefined && JSON.stringify(schemas[name]) !== JSON.stringify(schema)) {
      throw new Error(`OpenAPI: the response type ${name} has the name of a request DTO; rename one of them`);
    }
    schemas[name] = schema;
  }
  const sharedResponses = (components.responses ??= {}) as Record<string, Response>;
  for (const [status, error] of Object.entries(ERRORS)) {
    sharedResponses[`Error${status}`] = {
      description: error.description,
      content: { 'application/json': { schema: ERROR_REF, example: error.example } },
    };
  }
  const resolve = (schema: Schema | undefined): Schema | undefined =>
    typeof schema?.$ref === 'string' ? schemas[schema.$ref.slice('#/components/schemas/'.length)] : schema;

  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation?.operationId) continue;
      const fact = facts.get(operation.operationId) ?? { access: 'session', command: false, rateLimited: false };
      const parameters = (operation.parameters ??= []) as Parameter[];
      if (fact.command && fact.access !== 'public') {
        parameters.push({
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          schema: { type: 'string', minLength: 1, maxLength: 200 },
        });
      }
      for (const parameter of parameters) describeParameter(parameter, path);

      const body = (operation.requestBody as { content?: Record<string, MediaType> } | undefined)?.content?.['application/json'];
      if (body?.schema && body.example === undefined) body.example = exampleOf(body.schema, schemas);

      const responses = operation.responses as Record<string, Response>;
      const success = generated.operations[operation.operationId];
      for (const [status, response] of Object.entries(responses)) {
        if (!/^2/.test(status) || response.content || status === '204' || !success) continue;
        response.content = { 'application/json': { schema: success, example: exampleOf(success, schemas) } };
        if (!response.description) response.description = describeSuccess(resolve(success));
      }
      // Declared on the handler with its own description: that description, the shared body and example.
      for (const [status, response] of Object.entries(responses)) {
        if (!/^[45]/.test(status) || response.content) continue;
        response.content = { 'application/json': { schema: ERROR_REF, example: ERRORS[Number(status)]?.example } };
      }
      for (const status of errorStatuses(method, path, operation, fact)) {
        (responses as Record<string, Response | { $ref: string }>)[status] ??= { $ref: `#/components/responses/Error${status}` };
      }
    }
  }
}

function errorStatuses(method: string, path: string, operation: Operation, fact: OperationFacts): number[] {
  const statuses = new Set<number>();
  const mutates = method !== 'get';
  const hasInput = (operation.parameters?.length ?? 0) > 0 || operation.requestBody !== undefined;
  // The probes and metrics: what they can answer is declared on the handler.
  if (fact.access === 'public' && !mutates && !hasInput) return [];
  if (hasInput) statuses.add(400);
  if (fact.access !== 'public') {
    // Every authenticated route: 401 without a valid token, 429 once failed authentications from the address are spent.
    statuses.add(401).add(403).add(429);
    if (path.includes('{') || fact.access === 'key') statuses.add(404);
    if (mutates) statuses.add(409).add(422);
  }
  if (fact.rateLimited) statuses.add(429);
  statuses.add(503);
  return [...statuses];
}

function describeParameter(parameter: Parameter, path: string): void {
  const segment =
    parameter.in === 'path'
      ? `${path.split(`/{${parameter.name}}`)[0]!.split('/').pop()}/{${parameter.name}}`
      : `${path.split('/').pop()}?${parameter.name}`;
  const known = BY_SEGMENT[segment] ?? PARAMETERS[`${parameter.in} ${parameter.name}`];
  if (!known) return;
  // The DTO property's doc comment (swagger put it there) follows ours.
  parameter.description = [known.description, parameter.description].filter(Boolean).join(' ');
  if (known.example !== undefined && parameter.example === undefined) parameter.example = known.example;
}

function describeSuccess(schema: Schema | undefined): string {
  if (schema?.type === 'array') return 'The list.';
  const properties = Object.keys((schema?.properties as object | undefined) ?? {});
  if (properties.includes('position')) return 'Done: `position` is the command’s last event, for `?minPosition=` on a later read.';
  return 'OK.';
}

const SAMPLE_ID = '3f1d2c4b-8a7e-4b6f-9c0d-1e2f3a4b5c6d';

/** An example value for a schema, as a client would see it: every property, the first of every choice. */
export function exampleOf(schema: Schema, schemas: Record<string, Schema>, name = '', seen: ReadonlySet<string> = new Set()): unknown {
  if (schema.example !== undefined) return schema.example;
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref.slice('#/components/schemas/'.length);
    if (seen.has(target)) return {};
    return exampleOf(schemas[target] ?? {}, schemas, name, new Set([...seen, target]));
  }
  const [first] = (schema.oneOf ?? schema.allOf ?? schema.anyOf ?? []) as Schema[];
  if (first) return exampleOf(first, schemas, name, seen);
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (schema.type) {
    case 'array':
      return [exampleOf((schema.items as Schema | undefined) ?? {}, schemas, name, seen)];
    case 'object': {
      const properties = Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {});
      const extra = schema.additionalProperties as Schema | boolean | undefined;
      const out: Record<string, unknown> = {};
      for (const [key, value] of properties) out[key] = exampleOf(value, schemas, key, seen);
      if (properties.length === 0 && extra && typeof extra === 'object') out.key = exampleOf(extra, schemas, 'key', seen);
      return out;
    }
    case 'string':
      return sampleString(name, schema.format as string | undefined);
    case 'integer':
    case 'number':
      return /count|total|size/i.test(name) ? 12 : 1;
    case 'boolean':
      return true;
    default:
      return schema.properties ? exampleOf({ ...schema, type: 'object' }, schemas, name, seen) : null;
  }
}

function sampleString(name: string, format: string | undefined): string {
  if (format === 'date-time' || /(At|Date|Time|Start|End)$/.test(name)) return '2026-12-01T09:30:00.000Z';
  if (name === 'position') return '1042';
  if (name === 'key') return 'lf_Q2x8mN4pR7tV1wY5zB3dF6hJ9kL0sA2c';
  if (name === 'keyPreview') return '…sA2c';
  if (/email/i.test(name)) return 'ada@example.com';
  if (name === 'fullName' || name === 'repoFullName') return 'acme/handbook';
  if (/login|owner/i.test(name)) return 'acme';
  if (name === 'id' || /Id$/.test(name)) return SAMPLE_ID;
  if (/url$/i.test(name)) return 'https://example.com/path';
  if (/name$/i.test(name) || name === 'slug') return 'docs';
  return 'string';
}
