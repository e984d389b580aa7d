import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_FILE, generateResponseSchemas, renderGeneratedFile } from './response-schemas.generator.js';

const root = join(import.meta.dirname, '../../../..');

describe('response-schemas.generated.ts', () => {
  const generated = generateResponseSchemas(root);

  it('is what the controllers return today (else run `npm run docs:schemas`)', async () => {
    expect(readFileSync(join(root, GENERATED_FILE), 'utf8')).toBe(await renderGeneratedFile(root, generated));
  });

  it('types every JSON answer: a handler returning `any` or `unknown` would document nothing', () => {
    const untyped = Object.entries(generated.operations).filter(([, schema]) => schema !== null && Object.keys(schema).length === 0);
    expect(untyped.map(([id]) => id)).toEqual([]);
  });
});
