import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { readOrCreateFile } from './key-file.js';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_VERSION = 'v1';

/** A value that is not a ciphertext of ours, was altered, or was sealed under a key we do not hold. */
export class TokenDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenDecryptionError';
  }
}

/**
 * `ENCRYPTION_KEY`: 32 bytes as 64 hex digits or as base64 / base64url. Anything else is refused
 * at startup: a short key would silently weaken AES-256, and a typo would make every stored
 * token unreadable only later, at the first decryption.
 */
export function parseEncryptionKey(raw: string, name = 'ENCRYPTION_KEY'): Buffer {
  const value = raw.trim();
  const hint = `${name} must be 32 bytes, given as 64 hex digits or in base64 (e.g. \`openssl rand -base64 32\`)`;
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) throw new Error(`${hint}; the value is neither hex nor base64`);
  const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`${hint}; it decodes to ${key.length} bytes`);
  return key;
}

/**
 * `ENCRYPTION_KEY_PREVIOUS`: keys retired by a rotation, comma-separated, each in the format of
 * `parseEncryptionKey`. They only open values sealed before the rotation; nothing new is sealed with them.
 */
export function parseEncryptionKeys(raw: string, name: string): Buffer[] {
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part, index) => parseEncryptionKey(part, `${name} (key ${index + 1})`));
}

/**
 * AES-256-GCM for secrets kept at rest (GitHub access tokens). A sealed value reads
 * `v1:<keyId>:<iv>:<tag>:<ciphertext>`, each part base64url: a fresh random 12-byte IV per value,
 * the 16-byte authentication tag, and the id of the key (a fingerprint, not the key), so a key can
 * be rotated by sealing with a new one while the previous ones still open older values. The header
 * `v1:<keyId>` is authenticated too (GCM additional data): no part of a value can be altered or
 * swapped without decryption failing.
 */
export class TokenCipher {
  private readonly current: { id: string; key: Buffer };
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(key: Buffer, previousKeys: readonly Buffer[] = []) {
    for (const k of [key, ...previousKeys])
      if (k.length !== KEY_BYTES) throw new Error(`An encryption key must be ${KEY_BYTES} bytes, got ${k.length}`);
    this.current = { id: keyId(key), key: Buffer.from(key) };
    this.keys = new Map([...previousKeys, key].map((k) => [keyId(k), Buffer.from(k)]));
  }

  /** `ENCRYPTION_KEY` and `ENCRYPTION_KEY_PREVIOUS` as configured (see `parseEncryptionKeys`). */
  static fromEncodedKey(raw: string, previous?: string): TokenCipher {
    return new TokenCipher(parseEncryptionKey(raw), previous ? parseEncryptionKeys(previous, 'ENCRYPTION_KEY_PREVIOUS') : []);
  }

  /**
   * The key kept in `path`, generated on first use (32 random bytes, base64, mode 0600) like the
   * local identity keys, and created atomically and exclusively: two processes starting together
   * read the same key, and a crash never leaves a truncated one.
   */
  static fromKeyFile(path: string, previousKeys: readonly Buffer[] = []): TokenCipher {
    const encoded = readOrCreateFile(path, () => `${randomBytes(KEY_BYTES).toString('base64')}\n`);
    return new TokenCipher(parseEncryptionKey(encoded, path), previousKeys);
  }

  get keyId(): string {
    return this.current.id;
  }

  /**
   * A 32-byte key for another purpose (e.g. signing OAuth state), derived from the current key by
   * HKDF-SHA256: one secret to configure, and no key is ever used for two purposes.
   */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.current.key, Buffer.alloc(0), `console:${purpose}`, KEY_BYTES));
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const header = `${FORMAT_VERSION}:${this.current.id}`;
    const cipher = createCipheriv(ALGORITHM, this.current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(header, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [header, b64(iv), b64(cipher.getAuthTag()), b64(ciphertext)].join(':');
  }

  decrypt(sealed: string): string {
    const parts = sealed.split(':');
    if (parts.length !== 5 || parts[0] !== FORMAT_VERSION) throw new TokenDecryptionError(`Not a ${FORMAT_VERSION} sealed value`);
    const [version, id, ivPart, tagPart, dataPart] = parts as [string, string, string, string, string];
    const key = this.keys.get(id);
    if (!key) throw new TokenDecryptionError(`Sealed under key ${id}, which this process does not hold`);
    const iv = unb64(ivPart);
    const tag = unb64(tagPart);
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new TokenDecryptionError('Malformed sealed value');
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(`${version}:${id}`, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(unb64(dataPart)), decipher.final()]).toString('utf8');
    } catch {
      throw new TokenDecryptionError('The sealed value was altered or is not ours');
    }
  }
}

/** 8 base64url characters of a SHA-256 of the key: identifies it without revealing anything usable. */
const keyId = (key: Buffer) => createHash('sha256').update('console-token-cipher:').update(key).digest('base64url').slice(0, 8);

const b64 = (bytes: Buffer) => bytes.toString('base64url');

function unb64(part: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new TokenDecryptionError('Malformed sealed value');
  return Buffer.from(part, 'base64url');
}
