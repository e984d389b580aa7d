import { HttpStatus } from '@nestjs/common';
import {
  ClerkOrganizationDirectory,
  DirectoryConflictError,
  DirectoryNotFoundError,
  DirectoryRejectedError,
  DirectoryUnavailableError,
  LocalOrganizationDirectory,
  type OrganizationDirectory,
} from '#adapters';
import { ApiError } from '../common/api-error.js';
import type { ConsoleConfig } from '#runtime';

export const ORGANIZATION_DIRECTORY = Symbol('ORGANIZATION_DIRECTORY');

/**
 * Clerk mode when Clerk is configured with a secret key (the Backend API needs it); the local
 * directory otherwise. With only CLERK_JWT_KEY, tokens are Clerk's but nothing can be written to
 * Clerk: organization commands answer 503 rather than create organizations Clerk does not know.
 */
export function organizationDirectoryFor(config: ConsoleConfig): OrganizationDirectory {
  if (!config.clerk) return new LocalOrganizationDirectory();
  if (config.clerk.secretKey) return new ClerkOrganizationDirectory({ secretKey: config.clerk.secretKey, apiUrl: config.clerk.apiUrl });
  return new ClerkWithoutBackendApi();
}

class ClerkWithoutBackendApi implements OrganizationDirectory {
  readonly external = true;
  private refuse(): never {
    throw new DirectoryUnavailableError('Clerk is configured without CLERK_SECRET_KEY: organizations cannot be changed through Console');
  }
  createOrganization = async () => this.refuse();
  renameOrganization = async () => this.refuse();
  setMembership = async () => this.refuse();
  // Nothing to ask: a miss in the membership read model is a plain 403.
  listUserMemberships = async () => null;
  // No Backend API to ask: the profile is what the session token says (its subject).
  getUser = async () => null;
}

/** A directory call, its failures answered in the API's error shape (nothing has been appended yet). */
export async function callDirectory<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DirectoryConflictError) {
      throw new ApiError(HttpStatus.CONFLICT, 'conflict', error.message, { field: error.field });
    }
    if (error instanceof DirectoryNotFoundError) throw new ApiError(HttpStatus.NOT_FOUND, 'not_found', error.message);
    if (error instanceof DirectoryRejectedError)
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'refused', `Clerk refused the request: ${error.message}`);
    if (error instanceof DirectoryUnavailableError) throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'unavailable', error.message);
    throw error;
  }
}
