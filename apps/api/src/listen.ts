import type { INestApplication } from '@nestjs/common';
import { createServer } from 'node:net';

/** The api's port is taken: the entry point stops what it started and prints this one line. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(readonly port: number) {
    super(`port ${port} is in use (another Console?): set PORT to a free port, or stop the other process`);
  }
}

/**
 * `app.listen`, with a taken port as a PortInUseError. The port is probed first because Nest logs a
 * failed listen itself (an ERROR line before ours); the catch covers a program taking it in between.
 */
export async function listen(app: INestApplication, port: number, host: string): Promise<void> {
  if (port !== 0 && !(await canBind(port, host))) throw new PortInUseError(port);
  try {
    await app.listen(port, host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(port);
    throw error;
  }
}

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}
