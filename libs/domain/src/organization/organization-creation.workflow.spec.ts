import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../core/domain-error.js';
import type { RecordedEvent } from '../core/event.js';
import { specFor } from '#domain/testing';
import { workspaceDecider } from '../workspace/workspace.decider.js';
import type { WorkspaceCreated } from '../workspace/workspace.events.js';
import { fold } from '../core/decider.js';
import { defaultWorkspaceIdFor } from '../core/ids.js';
import { defaultWorkspaceName } from './default-workspace-name.js';
import { organizationDecider } from './organization.decider.js';
import type { OrganizationSlugEvent } from './organization.events.js';
import { organizationSlugDecider } from './organization-slug.decider.js';
import {
  createdDefaultWorkspace,
  perStreamCommandIds,
  creationCommands,
  defaultWorkspaceCommand,
  defaultWorkspaceIn,
  reportedMembershipCommands,
  reportedOrganizationCommands,
  reportedSlugReservation,
  requireFreshOrganization,
  resumedOrganizationId,
  retriesWithAnotherName,
  isSuffixedFrom,
  suffixedSlug,
} from './organization-creation.workflow.js';

const at = '2026-01-01T10:00:00.000Z';
const request = { slug: 'acme', name: 'Acme', userId: 'user_1' };
const ids = perStreamCommandIds('request-1');

const reservation = (organizationId: string, commandId: string): RecordedEvent<OrganizationSlugEvent> => ({
  type: 'OrganizationSlugReserved',
  data: { slug: 'acme', organizationId, reservedAt: at },
  id: `event-${commandId}`,
  streamId: 'org-slug-acme',
  revision: 0n,
  position: '1',
  recordedAt: at,
  metadata: { commandId },
});

const isSlugConflict = (error: unknown) => error instanceof DomainError && error.code === 'conflict' && error.details?.field === 'slug';

function thrownBy(step: () => unknown): unknown {
  try {
    step();
  } catch (error) {
    return error;
  }
  throw new Error('expected the step to throw');
}

describe('organization creation workflow', () => {
  describe('step 1: given the slug stream', () => {
    it('when it is empty, then a new organization id is needed', () => {
      expect(resumedOrganizationId('acme', [], ids.slug)).toBeNull();
    });

    it('when this creation reserved it (a retry), then it continues with the reserved organization', () => {
      expect(resumedOrganizationId('acme', [reservation('org_1', ids.slug)], ids.slug)).toBe('org_1');
    });

    it('when another creation reserved it, then the slug is refused as used before', () => {
      expect(isSlugConflict(thrownBy(() => resumedOrganizationId('acme', [reservation('org_1', 'other:slug')], ids.slug)))).toBe(true);
    });
  });

  describe('step 2: given a new organization id', () => {
    it('when it has no history, then the creation goes on', () => {
      expect(() => requireFreshOrganization('acme', false, false)).not.toThrow();
    });

    it('when it has history, then the slug is refused, unless the operator adopts the history', () => {
      expect(isSlugConflict(thrownBy(() => requireFreshOrganization('acme', true, false)))).toBe(true);
      expect(() => requireFreshOrganization('acme', true, true)).not.toThrow();
    });
  });

  describe('step 3: given the organization id', () => {
    const { reserve, create } = creationCommands(request, 'org_1', false, at);

    it('when the slug is free, then it is reserved for the organization', () => {
      specFor(organizationSlugDecider)
        .given([])
        .when(reserve)
        .then([{ type: 'OrganizationSlugReserved', data: { slug: 'acme', organizationId: 'org_1', reservedAt: at } }]);
    });

    it('when the organization is new, then it is created with its creator as admin', () => {
      const events = organizationDecider.decide(create, organizationDecider.initialState());
      expect(events.map((e) => e.type)).toEqual(['OrganizationCreated', 'MemberAdded']);
      expect(fold(organizationDecider, events).members.get('user_1')?.role).toBe('admin');
    });
  });

  describe('step 3, reported by Clerk', () => {
    const organization = { id: 'org_clerk', slug: 'acme', name: 'Acme', createdBy: 'user_1', createdAt: at };

    it('when a slug holder is stale, then Clerk’s organization takes the slug', () => {
      specFor(organizationSlugDecider)
        .given([{ type: 'OrganizationSlugReserved', data: { slug: 'acme', organizationId: 'org_old', reservedAt: at } }])
        .when(reportedSlugReservation(organization, at))
        .then([{ type: 'OrganizationSlugReserved', data: { slug: 'acme', organizationId: 'org_clerk', reservedAt: at } }]);
    });

    it('when it is an update, then name and slug are applied after the creation', () => {
      expect(reportedOrganizationCommands(organization, 'clerk', at, true).map((c) => c.type)).toEqual([
        'CreateOrganization',
        'RenameOrganization',
        'ChangeOrganizationSlug',
      ]);
      expect(reportedOrganizationCommands(organization, 'clerk', at, false).map((c) => c.type)).toEqual(['CreateOrganization']);
    });

    it('when it carries Clerk’s image, then the creation records it and an update applies it', () => {
      const withImage = { ...organization, imageUrl: 'https://img.clerk.com/acme.png' };
      const commands = reportedOrganizationCommands(withImage, 'clerk', at, true);
      expect(commands[0]!.data).toMatchObject({ imageUrl: 'https://img.clerk.com/acme.png' });
      expect(commands.at(-1)).toEqual({
        type: 'ChangeOrganizationImage',
        data: { organizationId: 'org_clerk', imageUrl: 'https://img.clerk.com/acme.png', at },
      });
      const events = commands.reduce<{ state: ReturnType<typeof organizationDecider.initialState>; types: string[] }>(
        (acc, command) => {
          const decided = organizationDecider.decide(command, acc.state);
          return { state: decided.reduce(organizationDecider.evolve, acc.state), types: [...acc.types, ...decided.map((e) => e.type)] };
        },
        { state: organizationDecider.initialState(), types: [] },
      );
      // Created with the image: the same image again changes nothing.
      expect(events.types).toEqual(['OrganizationCreated']);
      expect(events.state.imageUrl).toBe('https://img.clerk.com/acme.png');
    });

    it('when it is a membership, then the organization is recorded as Clerk’s and the member added', () => {
      const commands = reportedMembershipCommands({ organization, userId: 'user_2', role: 'member' }, 'console', at);
      expect(commands).toEqual([
        {
          type: 'CreateOrganization',
          data: { organizationId: 'org_clerk', slug: 'acme', name: 'Acme', createdBy: 'user_1', source: 'clerk', at, imageUrl: null },
        },
        { type: 'AddMember', data: { organizationId: 'org_clerk', userId: 'user_2', role: 'member', source: 'console', at } },
      ]);
    });
  });

  describe('the slug-collision retry of clerk.createOrGetOrganization', () => {
    it('appends -<epoch ms> to the slug, as the original did', () => {
      expect(suffixedSlug('acme', 1764892800123)).toBe('acme-1764892800123');
    });

    it('shortens a long slug so the result keeps to 39 characters, without a hyphen before the suffix', () => {
      const long = 'a'.repeat(24) + '-bcdef-gh';
      const suffixed = suffixedSlug(long, 1764892800123);
      expect(suffixed).toBe(`${'a'.repeat(24)}-1764892800123`);
      expect(suffixed.length).toBeLessThanOrEqual(39);
      expect(suffixedSlug('b'.repeat(39), 1764892800123)).toBe(`${'b'.repeat(25)}-1764892800123`);
    });

    it('recognises only slugs it could have made from the same slug', () => {
      expect(isSuffixedFrom('acme-1764892800123', 'acme')).toBe(true);
      expect(isSuffixedFrom('acme-co-1764892800123', 'acme')).toBe(false);
      expect(isSuffixedFrom('acme-42', 'acme')).toBe(false);
      expect(isSuffixedFrom('acme', 'acme')).toBe(false);
    });
  });

  describe('step 4: given the organization’s workspace directory', () => {
    const workspaces = specFor(workspaceDecider);
    const created = (name: string, workspaceId: string, isDefault: boolean): WorkspaceCreated => ({
      type: 'WorkspaceCreated',
      data: { organizationId: 'org_1', workspaceId, name, slug: name.toLowerCase(), isDefault, createdAt: at },
    });

    it('when it is empty, then the default workspace is created with a derived id and name', () => {
      const { command, commandId } = defaultWorkspaceCommand('org_1', 1, at);
      expect(commandId).toBe('default-workspace:org_1:1');
      const expected = created(defaultWorkspaceName('org_1'), defaultWorkspaceIdFor('org_1'), true);
      workspaces.given([]).when(command).then([expected]);
      expect(createdDefaultWorkspace([expected])).toEqual({
        workspaceId: defaultWorkspaceIdFor('org_1'),
        workspaceName: defaultWorkspaceName('org_1'),
      });
    });

    it('when the derived name is taken, then the next attempt adds a suffix', () => {
      const taken = created(defaultWorkspaceName('org_1'), 'ws_other', false);
      const refusal = thrownBy(() =>
        workspaceDecider.decide(defaultWorkspaceCommand('org_1', 1, at).command, fold(workspaceDecider, [taken])),
      );
      expect(retriesWithAnotherName(refusal, 1)).toBe(true);
      expect(retriesWithAnotherName(refusal, 20)).toBe(false);
      expect(retriesWithAnotherName(new Error('down'), 1)).toBe(false);
      workspaces
        .given([taken])
        .when(defaultWorkspaceCommand('org_1', 2, at).command)
        .then([created(`${defaultWorkspaceName('org_1')}-2`, defaultWorkspaceIdFor('org_1'), true)]);
    });

    it('when it has a default already, then nothing is created and the existing one is named', () => {
      const existing = created('Main', 'ws_main', true);
      workspaces
        .given([existing])
        .when(defaultWorkspaceCommand('org_1', 1, at).command)
        .then([]);
      expect(createdDefaultWorkspace([])).toBeNull();
      expect(defaultWorkspaceIn(fold(workspaceDecider, [existing]))).toEqual({ workspaceId: 'ws_main', workspaceName: 'Main' });
    });
  });
});
