import type { EmbeddedDatabase } from '../libs/runtime/src/embedded-database.ts';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __embeddedDatabase?: EmbeddedDatabase }).__embeddedDatabase?.stop();
}
