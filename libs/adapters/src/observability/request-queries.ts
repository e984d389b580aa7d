import { AsyncLocalStorage } from 'node:async_hooks';

/** The statements one HTTP request has issued so far, on any pool. */
export class RequestQueries {
  count = 0;
  constructor(readonly requestId: string) {}
}

const current = new AsyncLocalStorage<RequestQueries>();

/** Runs `work` (the rest of a request's handling) so every statement it issues counts into `queries`. */
export function countingQueries<T>(queries: RequestQueries, work: () => T): T {
  return current.run(queries, work);
}

/** The request whose handling issues the statement being run, if any. */
export function currentRequestQueries(): RequestQueries | undefined {
  return current.getStore();
}
