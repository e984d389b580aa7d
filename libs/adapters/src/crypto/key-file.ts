import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Secrets kept on disk (the encryption key, the local identity key pair, the embedded PostgreSQL
 * password) are written so that no reader ever sees a partial file, even across a crash or a power
 * cut: the bytes go to a temporary file in the same directory (mode 0600 from its creation, never
 * world-readable for an instant), are fsynced, and the file is then moved into place, and the
 * directory fsynced so the new name survives too.
 */
export function writeFileAtomically(path: string, contents: string, mode = 0o600): void {
  const temporary = writeTemporary(path, contents, mode);
  try {
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
  syncDirectory(dirname(path));
}

/**
 * The file at `path`, created with `generate()` when it does not exist. Creation is atomic and
 * exclusive (a hard link fails when the name exists, where a rename would replace it): two
 * processes starting together both end up reading the one file that won, never a half-written one
 * and never two different secrets.
 */
export function readOrCreateFile(path: string, generate: () => string, mode = 0o600): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(path), { recursive: true });
  const temporary = writeTemporary(path, generate(), mode);
  try {
    linkSync(temporary, path);
    syncDirectory(dirname(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  return readFileSync(path, 'utf8');
}

function writeTemporary(path: string, contents: string, mode: number): string {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', mode);
  try {
    writeSync(fd, contents);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temporary;
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
