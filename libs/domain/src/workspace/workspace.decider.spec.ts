import { describe, expect, it } from '@jest/globals';
import { fold } from '../core/decider.js';
import { specFor } from '#domain/testing';
import type { WorkspaceCommand } from './workspace.commands.js';
import { workspaceDecider } from './workspace.decider.js';
import type { WorkspaceCreated, WorkspaceEvent, WorkspaceRenamed, WorkspaceSettingsUpdated } from './workspace.events.js';
import { workspaceSettingsProblems, type WorkspaceSettings } from './workspace-settings.js';

const spec = specFor(workspaceDecider);

const organizationId = 'org-1';
const at = '2026-01-01T10:00:00.000Z';

const create = (workspaceId: string, name: string, isDefault = false): WorkspaceCommand => ({
  type: 'CreateWorkspace',
  data: { organizationId, workspaceId, name, isDefault, at },
});
const rename = (currentName: string, name: string): WorkspaceCommand => ({
  type: 'RenameWorkspace',
  data: { organizationId, currentName, name, at },
});

// The helper compares JSON, so fixtures list keys in the order the decider writes them.
const created = (workspaceId: string, name: string, isDefault = false): WorkspaceCreated => ({
  type: 'WorkspaceCreated',
  data: { organizationId, workspaceId, name, slug: name.toLowerCase(), isDefault, createdAt: at },
});
const renamed = (workspaceId: string, name: string, previousName: string): WorkspaceRenamed => ({
  type: 'WorkspaceRenamed',
  data: { organizationId, workspaceId, name, previousName, renamedAt: at },
});

describe('workspace decider', () => {
  describe('when the organization has no workspaces', () => {
    it('creates a named workspace with a lower-case slug', () => {
      spec
        .given([])
        .when(create('ws-1', 'Docs'))
        .then([created('ws-1', 'Docs')]);
    });

    it('creates the default workspace', () => {
      spec
        .given([])
        .when(create('ws-default', 'default', true))
        .then([created('ws-default', 'default', true)]);
    });

    it('accepts a name of exactly 100 allowed characters', () => {
      const name = `a-b_c.${'d'.repeat(94)}`;
      spec
        .given([])
        .when(create('ws-1', name))
        .then([created('ws-1', name)]);
    });

    it.each([
      ['empty', ''],
      ['101 characters long', 'a'.repeat(101)],
      ['containing a space', 'my docs'],
      ['containing a slash', 'docs/api'],
      ['ending in a newline', 'docs\n'],
    ])('rejects a name that is %s', (_, name) => {
      spec.given([]).when(create('ws-1', name)).thenThrows('invalid', 'Workspace name');
    });

    it('refuses to rename a workspace that does not exist', () => {
      spec.given([]).when(rename('docs', 'handbook')).thenThrows('not_found');
    });
  });

  describe('when a default workspace exists', () => {
    const history: WorkspaceEvent[] = [created('ws-default', 'default', true)];

    it('does nothing when asked to create the default again', () => {
      spec
        .given(history)
        .when(create('ws-other', 'default', true))
        .then([]);
    });

    it('does nothing when asked to create the default again under another name', () => {
      spec
        .given(history)
        .when(create('ws-other', 'main', true))
        .then([]);
    });

    it('still creates other, non-default workspaces', () => {
      spec
        .given(history)
        .when(create('ws-1', 'docs'))
        .then([created('ws-1', 'docs')]);
    });

    it('refuses a non-default workspace that takes the default one’s name', () => {
      spec.given(history).when(create('ws-1', 'Default')).thenThrows('conflict', 'already exists');
    });
  });

  describe('when a named workspace exists', () => {
    const history: WorkspaceEvent[] = [created('ws-1', 'Docs')];

    it('refuses another workspace with the same name', () => {
      spec.given(history).when(create('ws-2', 'Docs')).thenThrows('conflict', 'already exists');
    });

    it('refuses another workspace whose name differs only in case', () => {
      spec.given(history).when(create('ws-2', 'dOCS')).thenThrows('conflict', 'already exists');
    });

    it('refuses to create a workspace with an id already in use', () => {
      spec.given(history).when(create('ws-1', 'other')).thenThrows('conflict', 'ws-1');
    });

    it('creates the default workspace alongside it', () => {
      spec
        .given(history)
        .when(create('ws-default', 'default', true))
        .then([created('ws-default', 'default', true)]);
    });

    it('renames it, recording the previous name', () => {
      spec
        .given(history)
        .when(rename('Docs', 'handbook'))
        .then([renamed('ws-1', 'handbook', 'Docs')]);
    });

    it('does nothing when renamed to its current name', () => {
      spec.given(history).when(rename('Docs', 'Docs')).then([]);
    });

    it('renames it to its own name in a different case', () => {
      spec
        .given(history)
        .when(rename('Docs', 'docs'))
        .then([renamed('ws-1', 'docs', 'Docs')]);
    });

    it('rejects an invalid new name', () => {
      spec.given(history).when(rename('Docs', 'my docs')).thenThrows('invalid');
    });

    it('refuses to rename a workspace that does not exist', () => {
      spec.given(history).when(rename('guides', 'handbook')).thenThrows('not_found');
    });

    it('finds the workspace by its current name in any case', () => {
      spec
        .given(history)
        .when(rename('DOCS', 'handbook'))
        .then([renamed('ws-1', 'handbook', 'Docs')]);
    });
  });

  describe('when two workspaces exist', () => {
    const history: WorkspaceEvent[] = [created('ws-1', 'docs'), created('ws-2', 'api')];

    it('refuses to rename one to the name of the other', () => {
      spec.given(history).when(rename('api', 'docs')).thenThrows('conflict', 'already exists');
    });

    it('refuses to rename one to the name of the other in a different case', () => {
      spec.given(history).when(rename('api', 'DOCS')).thenThrows('conflict', 'already exists');
    });
  });

  describe('when a workspace has been renamed', () => {
    const history: WorkspaceEvent[] = [created('ws-1', 'docs'), renamed('ws-1', 'handbook', 'docs')];

    it('frees its previous name', () => {
      spec
        .given(history)
        .when(create('ws-2', 'docs'))
        .then([created('ws-2', 'docs')]);
    });

    it('holds its new name', () => {
      spec.given(history).when(create('ws-2', 'Handbook')).thenThrows('conflict');
    });
  });

  describe('settings', () => {
    const history: WorkspaceEvent[] = [created('ws-1', 'Docs')];
    const update = (settings: unknown, name?: string): WorkspaceCommand => ({
      type: 'UpdateWorkspace',
      data: { organizationId, currentName: 'docs', ...(name === undefined ? {} : { name }), settings: settings as WorkspaceSettings, at },
    });
    const settingsUpdated = (settings: WorkspaceSettings): WorkspaceSettingsUpdated => ({
      type: 'WorkspaceSettingsUpdated',
      data: { organizationId, workspaceId: 'ws-1', settings, updatedAt: at },
    });

    it('records the whole settings object with its keys sorted', () => {
      spec
        .given(history)
        .when(update({ features: { multiLanguage: true, codeIndexing: false }, repositories: { r1: { enabled: true } } }))
        .then([settingsUpdated({ features: { codeIndexing: false, multiLanguage: true }, repositories: { r1: { enabled: true } } })]);
      const [event] = workspaceDecider.decide(
        update({ repositories: { r1: { enabled: true } }, features: { multiLanguage: true, codeIndexing: false } }),
        fold(workspaceDecider, history),
      );
      expect(JSON.stringify(event?.data)).toContain('{"features":{"codeIndexing":false,"multiLanguage":true},"repositories"');
    });

    it('does nothing when the settings are the ones stored, whatever their key order', () => {
      spec
        .given([...history, settingsUpdated({ defaults: { ignore: ['x'], patterns: ['docs/**'] } })])
        .when(update({ defaults: { patterns: ['docs/**'], ignore: ['x'] } }))
        .then([]);
    });

    it('does nothing when empty settings are set on a workspace that never had any', () => {
      spec.given(history).when(update({})).then([]);
    });

    it('renames and updates settings in one decision', () => {
      spec
        .given(history)
        .when(update({ features: { codeIndexing: true } }, 'handbook'))
        .then([settingsUpdated({ features: { codeIndexing: true } }), renamed('ws-1', 'handbook', 'Docs')]);
    });

    it('refuses both parts when the new name is taken', () => {
      spec
        .given([...history, created('ws-2', 'api')])
        .when(update({ features: { codeIndexing: true } }, 'API'))
        .thenThrows('conflict', 'already exists');
    });

    it.each([
      ['an unknown key', { colour: 'blue' }, 'settings.colour'],
      ['a feature that is not a boolean', { features: { codeIndexing: 'yes' } }, 'settings.features.codeIndexing'],
      ['an unknown feature', { features: { turbo: true } }, 'settings.features.turbo'],
      ['patterns that are not strings', { defaults: { patterns: ['ok', 3] } }, 'settings.defaults.patterns.1'],
      ['a repository without enabled', { repositories: { r1: {} } }, 'settings.repositories.r1.enabled'],
    ])('rejects %s, naming the field', (_, settings, field) => {
      expect(workspaceSettingsProblems(settings).map((p) => p.field)).toEqual([field]);
      spec.given(history).when(update(settings)).thenThrows('invalid', field);
    });

    it('refuses settings for a workspace that does not exist', () => {
      spec.given([]).when(update({})).thenThrows('not_found');
    });

    it('keeps the settings through a rename', () => {
      const state = fold(workspaceDecider, [
        ...history,
        settingsUpdated({ features: { codeIndexing: true } }),
        renamed('ws-1', 'handbook', 'Docs'),
      ]);
      expect(state.workspaces.get('ws-1')).toEqual({ name: 'handbook', isDefault: false, settings: { features: { codeIndexing: true } } });
    });
  });

  describe('fold', () => {
    it('gives the directory after a full history', () => {
      const state = fold(workspaceDecider, [
        created('ws-default', 'default', true),
        created('ws-1', 'docs'),
        renamed('ws-1', 'handbook', 'docs'),
      ]);
      expect(state.defaultWorkspaceId).toBe('ws-default');
      expect([...state.workspaces]).toEqual([
        ['ws-default', { name: 'default', isDefault: true }],
        ['ws-1', { name: 'handbook', isDefault: false }],
      ]);
    });

    it('does not mutate the state it was given', () => {
      const before = fold(workspaceDecider, [created('ws-1', 'docs')]);
      workspaceDecider.evolve(before, renamed('ws-1', 'handbook', 'docs'));
      expect(before.workspaces.get('ws-1')?.name).toBe('docs');
    });
  });
});
