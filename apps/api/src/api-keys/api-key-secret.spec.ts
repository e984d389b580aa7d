import { describe, expect, it } from '@jest/globals';
import { apiKeyPreview, generateApiKeySecret, hashApiKey, isApiKeyToken, isWellFormedApiKey, newApiKeyMaterial } from './api-key-secret.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

describe('api key material', () => {
  it('is lf_ and 32 characters of [A-Za-z0-9], different every time', () => {
    const secrets = Array.from({ length: 1_000 }, generateApiKeySecret);
    for (const secret of secrets) expect(secret).toMatch(/^lf_[A-Za-z0-9]{32}$/);
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('draws every character with equal probability (no modulo bias)', () => {
    const counts = new Map<string, number>();
    const keys = 10_000;
    for (let i = 0; i < keys; i++) for (const c of generateApiKeySecret().slice(3)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...ALPHABET].sort());
    const expected = (keys * 32) / ALPHABET.length;
    const chiSquare = [...counts.values()].reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    // 61 degrees of freedom: exceeded by chance with probability < 1e-6. `byte % 62` without
    // rejection makes the first 8 characters 25 % likelier and scores in the thousands.
    expect(chiSquare).toBeLessThan(130);
  });

  it('hashes with SHA-256 hex and previews … plus the last 4 characters', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(apiKeyPreview('lf_0123456789abcdefghijklmnopqrstuv')).toBe('…stuv');
    const material = newApiKeyMaterial();
    expect(material).toEqual({ secret: material.secret, hash: hashApiKey(material.secret), preview: `…${material.secret.slice(-4)}` });
  });

  it('tells API keys from session tokens and well-formed keys from others', () => {
    expect(isApiKeyToken('lf_anything')).toBe(true);
    expect(isApiKeyToken('eyJhbGciOiJSUzI1NiJ9.e30.sig')).toBe(false);
    expect(isWellFormedApiKey(generateApiKeySecret())).toBe(true);
    expect(isWellFormedApiKey('lf_short')).toBe(false);
    expect(isWellFormedApiKey(`${generateApiKeySecret()}x`)).toBe(false);
  });
});
