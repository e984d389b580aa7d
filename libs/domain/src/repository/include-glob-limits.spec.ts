import { describe, expect, it } from '@jest/globals';
import { INCLUDE_GLOB_LIMITS, includeGlobError } from './include-glob-limits.js';
import { evaluateConfigFile, validateLightfastConfig } from './lightfast-config.js';

const config = (include: unknown) => ({ version: 1, store: 'docs', include });
const errorsOf = (include: unknown) => {
  const result = validateLightfastConfig(config(include));
  return result.ok ? [] : result.errors;
};

describe('include glob limits', () => {
  it.each([
    'docs/**/*.md',
    'docs/**/*.{md,mdx}',
    '**/*.md',
    'README.md',
    '!docs/drafts/**',
    'docs/*-guide-*.md',
    '**/docs/**/*.mdx',
    'content/{en,de,fr}/**/*.md',
    'docs/[a-z]*/*.md',
    'docs/v{1..9}/*.md',
    'app/\\(marketing\\)/**/*.mdx',
    'docs/*-[*]-*/x.md',
    'docs/?????.md',
  ])('accepts the ordinary glob %s', (glob) => {
    expect(includeGlobError(glob)).toBeNull();
    expect(validateLightfastConfig(config([glob])).ok).toBe(true);
  });

  it.each([
    ['docs/' + 'a'.repeat(300) + '.md', 'longer than 256 characters'],
    ['docs/+(a|aa)b.md', 'extglob "+("'],
    ['docs/*(a|aa)b.md', 'extglob "*("'],
    ['docs/?(a|b).md', 'extglob "?("'],
    ['docs/@(a|b).md', 'extglob "@("'],
    ['docs/!(draft).md', 'extglob "!("'],
    ['!(draft)/*.md', 'extglob "!("'],
    ['docs/(a|aa)*b', '"(" is regular-expression syntax'],
    ['docs/a|b', '"|" is regular-expression syntax'],
    ['docs/***/x.md', 'a run of 3 "*"'],
    ['docs/**/**/x.md', 'consecutive "**" segments'],
    ['**/a/**/a/**/x', 'more than 2 "**" segments'],
    ['docs/*a*a*x', 'more than 2 "*" in one path segment'],
    ['**/*a*/*a*/x', 'more than 3 wildcards'],
    ['{*a*,b}/*c*/*d', 'more than 3 wildcards'],
    ['docs/{a,{b,c}}.md', 'nested braces'],
    ['docs/{a,b', 'unclosed "{"'],
    [`docs/{${Array.from({ length: 17 }, (_, i) => `a${i}`).join(',')}}.md`, 'more than 16 alternatives'],
    ['{a,b,c,d}/{a,b,c,d}/{a,b,c,d,e}.md', 'expand to more than 64 paths'],
    ['{a,b}/{a,b}/{a,b}/{a,b}/{a,b}.md', 'more than 4 brace groups'],
    ['docs/{1..100000}.md', 'brace range "{1..100000}"'],
  ])('refuses %s, naming it', (glob, message) => {
    expect(includeGlobError(glob)).toContain(message);
    const errors = errorsOf(['docs/**/*.md', glob]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`include[1] ${JSON.stringify(glob.length > 80 ? `${glob.slice(0, 80)}…` : glob)}: `);
    expect(errors[0]).toContain(message);
  });

  it('refuses more globs than the limit, and reports every bad glob of a config', () => {
    const many = Array.from({ length: INCLUDE_GLOB_LIMITS.globs + 1 }, (_, i) => `docs/${i}/*.md`);
    expect(errorsOf(many)).toEqual([`include: at most ${INCLUDE_GLOB_LIMITS.globs} globs, got ${INCLUDE_GLOB_LIMITS.globs + 1}`]);
    expect(errorsOf(Array.from({ length: INCLUDE_GLOB_LIMITS.globs }, (_, i) => `docs/${i}/*.md`))).toEqual([]);
    expect(errorsOf(['*a*a*a', 'ok/*.md', '+(x)'])).toEqual([
      expect.stringMatching(/^include\[0\] "\*a\*a\*a": /),
      expect.stringMatching(/^include\[2\] "\+\(x\)": /),
    ]);
  });

  it('makes config detection an error that names the glob', () => {
    const detection = evaluateConfigFile('lightfast.yml', 'version: 1\nstore: docs\ninclude:\n  - "**/*a*/*a*/*a*x"\n');
    expect(detection).toMatchObject({
      status: 'error',
      config: null,
      error: 'include[0] "**/*a*/*a*/*a*x": more than 3 wildcards ("*" and "**")',
    });
  });
});
