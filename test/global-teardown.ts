import type { EmbeddedDatabase } from '../apps/console/src/embedded-database.ts';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __embeddedDatabase?: EmbeddedDatabase }).__embeddedDatabase?.stop();
}
