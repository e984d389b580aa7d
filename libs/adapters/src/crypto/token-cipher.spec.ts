import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenCipher, TokenDecryptionError, parseEncryptionKey, parseEncryptionKeys } from './token-cipher.js';

const token = 'gho_16C7e42F292c6912E7710c838347Ae178B4a';

describe('token cipher', () => {
  const cipher = new TokenCipher(randomBytes(32));

  it('opens what it sealed', () => {
    expect(cipher.decrypt(cipher.encrypt(token))).toBe(token);
    expect(cipher.decrypt(cipher.encrypt(''))).toBe('');
    expect(cipher.decrypt(cipher.encrypt('ünïcödé ✓'))).toBe('ünïcödé ✓');
  });

  it('writes v1:<keyId>:<iv>:<tag>:<ciphertext> in base64url, with a fresh IV every time', () => {
    const a = cipher.encrypt(token);
    const b = cipher.encrypt(token);
    expect(a).toMatch(/^v1:[A-Za-z0-9_-]{8}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(a.split(':')[1]).toBe(cipher.keyId);
    expect(a).not.toBe(b);
    expect(a.split(':')[2]).not.toBe(b.split(':')[2]);
  });

  it('never contains the token, in any encoding', () => {
    const sealed = cipher.encrypt(token);
    for (const form of [
      token,
      Buffer.from(token).toString('base64'),
      Buffer.from(token).toString('base64url'),
      Buffer.from(token).toString('hex'),
      token.slice(4, 20),
    ]) {
      expect(sealed).not.toContain(form);
    }
  });

  describe('when a sealed value was tampered with', () => {
    const sealed = cipher.encrypt(token);
    const flip = (part: number) => {
      const parts = sealed.split(':');
      const bytes = Buffer.from(parts[part]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      parts[part] = bytes.toString('base64url');
      return parts.join(':');
    };

    it.each([
      ['the ciphertext', 4],
      ['the tag', 3],
      ['the IV', 2],
    ])('refuses to open it when %s changed', (_, part) => {
      expect(() => cipher.decrypt(flip(part))).toThrow(TokenDecryptionError);
    });

    it('refuses a truncated value, another version, and a value that is not sealed at all', () => {
      expect(() => cipher.decrypt(sealed.slice(0, -2))).toThrow(TokenDecryptionError);
      expect(() => cipher.decrypt(sealed.replace(/^v1:/, 'v2:'))).toThrow(TokenDecryptionError);
      expect(() => cipher.decrypt(token)).toThrow(TokenDecryptionError);
    });

    it('refuses a value sealed under a key it does not hold, even with the key id forged', () => {
      const other = new TokenCipher(randomBytes(32));
      expect(() => cipher.decrypt(other.encrypt(token))).toThrow(/does not hold/);
      const forged = other.encrypt(token).split(':');
      forged[1] = cipher.keyId;
      expect(() => cipher.decrypt(forged.join(':'))).toThrow(TokenDecryptionError);
    });
  });

  it('after a key rotation, seals with the new key and still opens values sealed with the previous one', () => {
    const oldKey = randomBytes(32);
    const before = new TokenCipher(oldKey).encrypt(token);
    const rotated = new TokenCipher(randomBytes(32), [oldKey]);
    expect(rotated.decrypt(before)).toBe(token);
    expect(rotated.encrypt(token).split(':')[1]).toBe(rotated.keyId);
    expect(rotated.keyId).not.toBe(before.split(':')[1]);
  });

  it('ENCRYPTION_KEY_PREVIOUS: several retired keys, comma-separated, each opening what it sealed; a key removed from the list no longer does', () => {
    const [oldest, older, current] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const sealedOldest = new TokenCipher(oldest).encrypt('one');
    const sealedOlder = new TokenCipher(older).encrypt('two');
    const rotated = TokenCipher.fromEncodedKey(current.toString('base64'), ` ${oldest.toString('hex')} , ${older.toString('base64url')},`);
    expect([rotated.decrypt(sealedOldest), rotated.decrypt(sealedOlder)]).toEqual(['one', 'two']);
    expect(rotated.encrypt('three').split(':')[1]).toBe(new TokenCipher(current).keyId);
    expect(() => new TokenCipher(current, [older]).decrypt(sealedOldest)).toThrow(/does not hold/);
  });

  it('names the bad entry of ENCRYPTION_KEY_PREVIOUS', () => {
    expect(() => parseEncryptionKeys(`${randomBytes(32).toString('hex')},short`, 'ENCRYPTION_KEY_PREVIOUS')).toThrow(
      /ENCRYPTION_KEY_PREVIOUS \(key 2\) must be 32 bytes/,
    );
  });

  it('a key file rotates too: the new file key seals, a previous key opens', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cipher-rotation-'));
    const oldKey = randomBytes(32);
    const before = new TokenCipher(oldKey).encrypt(token);
    const fromFile = TokenCipher.fromKeyFile(join(dir, 'encryption.key'), [oldKey]);
    expect(fromFile.decrypt(before)).toBe(token);
    expect(fromFile.encrypt(token).split(':')[1]).not.toBe(before.split(':')[1]);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('ENCRYPTION_KEY', () => {
    const key = randomBytes(32);

    it.each([
      ['64 hex digits', key.toString('hex')],
      ['base64', key.toString('base64')],
      ['base64url without padding', key.toString('base64url')],
      ['base64 with surrounding whitespace', ` ${key.toString('base64')}\n`],
    ])('accepts 32 bytes as %s', (_, raw) => {
      expect(parseEncryptionKey(raw).equals(key)).toBe(true);
    });

    it.each([
      ['16 bytes', randomBytes(16).toString('base64'), /32 bytes.*decodes to 16 bytes/],
      ['33 bytes', randomBytes(33).toString('base64'), /decodes to 33 bytes/],
      ['62 hex digits', key.toString('hex').slice(2), /32 bytes/],
      ['a passphrase', 'correct horse battery staple', /neither hex nor base64/],
      ['empty', '', /ENCRYPTION_KEY must be 32 bytes/],
    ])('refuses %s with an error that says what is expected', (_, raw, message) => {
      expect(() => parseEncryptionKey(raw)).toThrow(message);
    });

    it('refuses a raw key of the wrong length', () => {
      expect(() => new TokenCipher(randomBytes(31))).toThrow('32 bytes, got 31');
    });
  });

  describe('without ENCRYPTION_KEY', () => {
    it('generates a key file once (mode 0600) and reads the same key back', () => {
      const dir = mkdtempSync(join(tmpdir(), 'token-cipher-'));
      try {
        const path = join(dir, 'nested', 'encryption.key');
        const first = TokenCipher.fromKeyFile(path);
        const sealed = first.encrypt(token);
        const contents = readFileSync(path, 'utf8');
        expect(statSync(path).mode & 0o777).toBe(0o600);
        expect(parseEncryptionKey(contents)).toHaveLength(32);
        const second = TokenCipher.fromKeyFile(path);
        expect(readFileSync(path, 'utf8')).toBe(contents);
        expect(second.decrypt(sealed)).toBe(token);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
