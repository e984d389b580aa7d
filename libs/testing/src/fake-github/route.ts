import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RouteContext {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  /** `METHOD /path`, as the request counts go. */
  readonly key: string;
}

/** One endpoint of the fake: the first route whose method and path match answers the request. */
export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: RegExp;
  handle(context: RouteContext, match: RegExpExecArray): void | Promise<void>;
}
