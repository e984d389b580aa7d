import { describe, expect, it } from '@jest/globals';
import { LIGHTFAST_CONFIG_CANDIDATES, evaluateConfigFile, pickConfigFile, validateLightfastConfig } from './lightfast-config.js';

const file = (name: string) => ({ name, type: 'file' });
const valid = 'version: 1\nstore: docs-site\ninclude:\n  - docs/**/*.mdx\n';

describe('lightfast.yml detection', () => {
  it('picks each of the four candidate names from one root listing', () => {
    for (const name of LIGHTFAST_CONFIG_CANDIDATES) expect(pickConfigFile([file('README.md'), file(name)])).toBe(name);
  });

  it('prefers the original probe order when several exist, and ignores directories', () => {
    expect(pickConfigFile([file('.lightfast.yaml'), file('lightfast.yaml'), file('.lightfast.yml')])).toBe('.lightfast.yml');
    expect(pickConfigFile([{ name: 'lightfast.yml', type: 'dir' }, file('lightfast.yaml')])).toBe('lightfast.yaml');
    expect(pickConfigFile([file('README.md'), { name: 'docs', type: 'dir' }])).toBeNull();
  });

  it('accepts a valid config', () => {
    expect(evaluateConfigFile('lightfast.yml', valid)).toEqual({
      status: 'configured',
      configPath: 'lightfast.yml',
      config: { version: 1, store: 'docs-site', include: ['docs/**/*.mdx'] },
      error: null,
    });
    expect(validateLightfastConfig({ version: 1, workspace: 'ws', store: 'a', include: ['x'] })).toEqual({
      ok: true,
      config: { version: 1, workspace: 'ws', store: 'a', include: ['x'] },
    });
  });

  it.each([
    ['version 2', { version: 2, store: 'docs', include: ['a'] }, 'version'],
    ['no store', { version: 1, include: ['a'] }, 'store'],
    ['store too long', { version: 1, store: 'a'.repeat(21), include: ['a'] }, '1–20'],
    ['store uppercase', { version: 1, store: 'Docs', include: ['a'] }, 'lowercase'],
    ['leading hyphen', { version: 1, store: '-docs', include: ['a'] }, 'start or end'],
    ['trailing hyphen', { version: 1, store: 'docs-', include: ['a'] }, 'start or end'],
    ['double hyphen', { version: 1, store: 'do--cs', include: ['a'] }, 'consecutive'],
    ['empty include', { version: 1, store: 'docs', include: [] }, 'at least one'],
    ['no include', { version: 1, store: 'docs' }, 'include'],
    ['blank glob', { version: 1, store: 'docs', include: [' '] }, 'non-empty'],
    ['absolute glob', { version: 1, store: 'docs', include: ['/docs/**'] }, 'relative'],
    ['windows glob', { version: 1, store: 'docs', include: ['C:\\docs'] }, 'relative'],
    ['not a mapping', ['a'], 'mapping'],
  ])('rejects %s', (_name, parsed, message) => {
    const result = validateLightfastConfig(parsed);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.errors.join('; ')).toContain(message);
  });

  it('reports invalid YAML and invalid content as an error with the path', () => {
    expect(evaluateConfigFile('lightfast.yml', 'version: [1')).toMatchObject({
      status: 'error',
      configPath: 'lightfast.yml',
      error: expect.stringContaining('Invalid YAML'),
    });
    expect(evaluateConfigFile('.lightfast.yaml', 'version: 1\nstore: x\ninclude: []\n')).toMatchObject({
      status: 'error',
      configPath: '.lightfast.yaml',
    });
  });
});
