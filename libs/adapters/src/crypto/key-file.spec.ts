import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalIdentityProvider } from '../identity/local-identity-provider.js';
import { readOrCreateFile, writeFileAtomically } from './key-file.js';
import { TokenCipher } from './token-cipher.js';

const freshDir = () => mkdtempSync(join(tmpdir(), 'key-file-'));
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('key files', () => {
  it('creates a missing file once, mode 0600, and leaves no temporary file behind', () => {
    const dir = freshDir();
    const path = join(dir, 'nested', 'secret');
    expect(readOrCreateFile(path, () => 'first\n')).toBe('first\n');
    expect(readOrCreateFile(path, () => 'second\n')).toBe('first\n');
    expect(modeOf(path)).toBe(0o600);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['secret']);
  });

  it('never replaces a file that exists: the first writer wins and every reader sees its bytes', () => {
    const path = join(freshDir(), 'secret');
    writeFileSync(path, 'already here');
    let generated = 0;
    expect(readOrCreateFile(path, () => `gen ${++generated}`)).toBe('already here');
    expect(generated).toBe(0);
  });

  it('replaces a file atomically with the mode given', () => {
    const dir = freshDir();
    const path = join(dir, 'public.pem');
    writeFileAtomically(path, 'one');
    writeFileAtomically(path, 'two', 0o644);
    expect([readFileSync(path, 'utf8'), modeOf(path)]).toEqual(['two', 0o644]);
    expect(readdirSync(dir)).toEqual(['public.pem']);
  });

  it('the encryption key file: created 0600 on first use, the same key on every later open', () => {
    const path = join(freshDir(), 'encryption.key');
    const first = TokenCipher.fromKeyFile(path);
    const sealed = first.encrypt('gho_secret');
    expect(modeOf(path)).toBe(0o600);
    expect(TokenCipher.fromKeyFile(path).decrypt(sealed)).toBe('gho_secret');
  });

  it('the local identity keys: a 0600 private key, and the same key pair on every later open', async () => {
    const dir = freshDir();
    const first = await LocalIdentityProvider.fromDirectory(dir);
    const token = await first.mint({ userId: 'user_1', organizationSlug: 'acme', role: 'admin' });
    expect(modeOf(join(dir, 'identity-private.pem'))).toBe(0o600);
    const again = await LocalIdentityProvider.fromDirectory(dir);
    expect(again.publicKeyPem).toBe(first.publicKeyPem);
    expect(readFileSync(join(dir, 'identity-public.pem'), 'utf8')).toBe(first.publicKeyPem);
    await expect(again.verify(token)).resolves.toMatchObject({ userId: 'user_1', organizationSlug: 'acme' });
  });
});
