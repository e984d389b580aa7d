import type { Cipher } from '#runtime';
import { SignedState, SignedStateError } from '#adapters';

/** The signed `state` of the App's install round trip: it names the organization and the member who started it. */
export const setupState = (cipher: Cipher) => new SignedState(cipher.deriveKey('github-app-setup-state'));

export const setupSubject = (organizationId: string, userId: string) => JSON.stringify([organizationId, userId]);

export function parseSetupSubject(subject: string): { organizationId: string; userId: string } {
  const parsed: unknown = JSON.parse(subject);
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((part) => typeof part === 'string'))
    throw new SignedStateError('invalid_state');
  return { organizationId: parsed[0] as string, userId: parsed[1] as string };
}
