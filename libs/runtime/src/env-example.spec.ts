import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../../..');
/** Read by the code but not a setting: Jest's own, and the user's shell (the CLI's `completion`). */
const NOT_SETTINGS = new Set(['JEST_WORKER_ID', 'SHELL']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'testing' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !/\.(spec|e2e)\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Every environment variable production code reads: `env.X`, `env['X']`, `int('X', …)`, and the limits tables' `env: 'X'`. */
function settingsReadByTheCode(): Set<string> {
  const names = new Set<string>();
  const patterns = [
    /\benv\.([A-Z][A-Z0-9_]+)/g,
    /\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]/g,
    /\bint\('([A-Z][A-Z0-9_]+)'/g,
    /\benv: '([A-Z][A-Z0-9_]+)'/g,
  ];
  for (const file of [...sources(join(ROOT, 'apps')), ...sources(join(ROOT, 'libs'))]) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) names.add(match[1]!);
  }
  for (const name of NOT_SETTINGS) names.delete(name);
  return names;
}

describe('.env.example', () => {
  const lines = readFileSync(join(ROOT, '.env.example'), 'utf8').split('\n');
  const listed = lines.flatMap((line) => /^([A-Z][A-Z0-9_]+)=/.exec(line)?.[1] ?? []);

  it('lists every setting the code reads, once, and nothing it does not read', () => {
    const read = settingsReadByTheCode();
    expect(read.size).toBeGreaterThan(40);
    expect([...read].filter((name) => !listed.includes(name)).sort()).toEqual([]);
    expect(listed.filter((name) => !read.has(name)).sort()).toEqual([]);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('says what each setting is for, in the comment above it or above its group', () => {
    lines.forEach((line, index) => {
      if (!/^[A-Z]/.test(line)) return;
      let above = index - 1;
      while (above >= 0 && /^[A-Z]/.test(lines[above]!)) above--;
      expect({ line, comment: lines[above]?.startsWith('# ') ?? false }).toEqual({ line, comment: true });
    });
  });
});
