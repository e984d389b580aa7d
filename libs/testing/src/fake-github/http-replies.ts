import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

export const badCredentials = (response: ServerResponse, documentationUrl = 'https://docs.github.com/rest') =>
  json(response, 401, { message: 'Bad credentials', documentation_url: documentationUrl });

export function bearer(request: IncomingMessage): string | undefined {
  return /^(?:token|bearer)\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
}

/** Calls `then` with the whole request body once it has arrived. */
export function onBody(request: IncomingMessage, then: (body: string) => void): void {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  request.on('end', () => then(body));
}

export function weakEtag(body: string): string {
  return `W/"${createHash('sha1').update(body).digest('hex')}"`;
}

/** GitHub wraps base64 content at 60 characters; clients must accept the line breaks. */
export function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,60}/g) ?? []).join('\n') + (bytes.length > 0 ? '\n' : '');
}

/** `per_page`/`page` as GitHub reads them, with the `Link` header to the next page when there is one. */
export function page<T>(
  all: readonly T[],
  url: URL,
  pageSize: number | undefined,
  nextUrl: (perPage: number, page: number) => string,
): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), pageSize ?? 100);
  const number = Number(url.searchParams.get('page') ?? 1);
  const headers: Record<string, string> = {};
  if (number * perPage < all.length) headers.link = `<${nextUrl(perPage, number + 1)}>; rel="next"`;
  return { items: all.slice((number - 1) * perPage, number * perPage), headers };
}
