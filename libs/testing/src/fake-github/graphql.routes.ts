import type { BlobGates } from './blob-gate.js';
import type { FakeGitHubState } from './fake-github.state.js';
import { badCredentials, json, onBody } from './http-replies.js';
import type { Route, RouteContext } from './route.js';

/**
 * `POST /graphql`, for the query shapes ingestion sends: blobs by object id in one repository,
 * `repository(owner: $owner, name: $name) { b0: object(oid: "…") { ... on Blob { text isBinary byteSize isTruncated } } … }`,
 * optionally with each file's last change on a commit given as a variable,
 * `commit: object(oid: $commit) { ... on Commit { h0: history(first: 1, path: $p0) { nodes { committedDate } } … } }`.
 * As on GitHub, a binary blob has `text: null`, a missing object is `null`, and a path no commit
 * changed has no history nodes.
 */
export function graphqlRoutes(state: FakeGitHubState, blobs: BlobGates) {
  function graphql({ request, response }: RouteContext): void {
    onBody(request, (raw) => {
      state.accounting.countRoute('POST /graphql');
      const installationId = state.installationOf(request);
      if (installationId === undefined) return badCredentials(response, 'https://docs.github.com/graphql');
      const respond = () => {
        const { query, variables } = JSON.parse(raw || '{}') as { query?: string; variables?: Record<string, string | undefined> };
        const git = state.hosted.get(`${variables?.owner}`, `${variables?.name}`);
        if (!git || !state.canRead(installationId, `${git.owner}/${git.name}`)) {
          return json(response, 200, {
            data: { repository: null },
            errors: [
              {
                type: 'NOT_FOUND',
                path: ['repository'],
                message: `Could not resolve to a Repository with the name '${variables?.owner}/${variables?.name}'.`,
              },
            ],
          });
        }
        const objects: Record<string, unknown> = {};
        for (const [, alias, sha] of (query ?? '').matchAll(/(\w+):\s*object\(oid:\s*"([0-9a-f]{40})"\)/g)) {
          const content = git.blob(sha!);
          if (content !== undefined) state.accounting.blobsServed.count++;
          const binary = content?.includes('\u0000') ?? false;
          objects[alias!] =
            content === undefined
              ? null
              : { text: binary ? null : content, isBinary: binary, byteSize: Buffer.byteLength(content), isTruncated: false };
        }
        const commitField = /(\w+):\s*object\(oid:\s*\$(\w+)\)/.exec(query ?? '');
        if (commitField) {
          const commit = git.resolveCommit(`${variables?.[commitField[2]!]}`);
          const histories: Record<string, unknown> = {};
          for (const [, alias, first, pathVariable] of (query ?? '').matchAll(/(\w+):\s*history\(first:\s*(\d+),\s*path:\s*\$(\w+)\)/g)) {
            const changed = commit && Number(first) > 0 ? git.lastChange(commit, `${variables?.[pathVariable!]}`) : undefined;
            histories[alias!] = { nodes: changed ? [{ committedDate: changed.date }] : [] };
          }
          objects[commitField[1]!] = commit ? histories : null;
        }
        const left = state.accounting.spendGraphql(installationId);
        json(
          response,
          200,
          { data: { repository: objects } },
          { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(left), 'x-ratelimit-resource': 'graphql' },
        );
      };
      if (!blobs.held(respond)) respond();
    });
  }

  const routes: Route[] = [{ method: 'POST', path: /^\/graphql$/, handle: graphql }];
  return { routes };
}
