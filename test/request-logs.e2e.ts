import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '#adapters';
import { startTestApp, type TestApp } from './support/app.js';

type Line = Record<string, unknown> & { msg: string };

/** The app's log lines at info, as written (text) and parsed. */
const written: string[] = [];
const lines = () => written.map((line) => JSON.parse(line) as Line);
let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startTestApp({ logger: createLogger('test', 'info', { write: (line: string) => void written.push(line) }) });
  token = await app.token({ org: 'logged' });
});

afterAll(async () => {
  await app?.close();
});

const linesOf = (requestId: string) => lines().filter((line) => line.requestId === requestId);

describe('request logs at info', () => {
  it('are one concise line per request: method, route template, status, time and request id; no headers, query or body', async () => {
    const response = await app.request('POST', '/v1/orgs/logged/workspaces?minPosition=start', {
      token,
      body: { name: 'secret-plans' },
      headers: { 'x-request-id': 'req-create' },
    });
    expect(response.status).toBe(201);
    const own = written.filter((line) => line.includes('"req-create"'));
    expect(own).toHaveLength(1);
    const [line] = linesOf('req-create');
    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: process.pid,
      hostname: expect.any(String),
      name: 'test',
      requestId: 'req-create',
      method: 'POST',
      route: '/v1/orgs/:org/workspaces',
      status: 201,
      ms: expect.any(Number),
      msg: expect.stringMatching(/^POST \/v1\/orgs\/:org\/workspaces 201 \d+(\.\d)? ms$/),
    });
    // Neither the token, the body nor the query string reaches the line.
    expect(own[0]).not.toContain(token);
    expect(own[0]).not.toContain('secret-plans');
    expect(own[0]).not.toContain('minPosition');
    expect(own[0]!.length).toBeLessThan(300);
  });

  it('log a refused request at info with its status, and an unmatched route as such', async () => {
    expect((await app.request('GET', '/v1/orgs/logged/workspaces', { headers: { 'x-request-id': 'req-anonymous' } })).status).toBe(401);
    expect((await app.request('GET', '/v1/nowhere', { token, headers: { 'x-request-id': 'req-unmatched' } })).status).toBe(404);
    expect(linesOf('req-anonymous')).toEqual([expect.objectContaining({ level: 30, status: 401, route: '/v1/orgs/:org/workspaces' })]);
    expect(linesOf('req-unmatched')).toEqual([expect.objectContaining({ level: 30, status: 404, route: 'unmatched' })]);
  });

  it('leave health probes out', async () => {
    expect((await app.request('GET', '/health/live', { headers: { 'x-request-id': 'req-health' } })).status).toBe(200);
    expect(linesOf('req-health')).toEqual([]);
  });
});
