import { describe, expect, it } from '@jest/globals';
import {
  connectionPushJobIdFor,
  defaultWorkspaceIdFor,
  documentIdFor,
  eventIdFor,
  gitHubOAuthCommandIdFor,
  gitHubSetupCommandIdFor,
  idempotentCommandIdFor,
  ingestionJobIdFor,
  pushJobIdFor,
  reindexJobIdFor,
  repositoryIdFor,
  seedJobCommandIdFor,
} from './ids.js';

// Values computed with the code these functions replaced: stored events and rows hold such ids,
// so any change here is a data migration, not a refactoring.
describe('deterministic ids', () => {
  it('derive exactly the ids already stored', () => {
    expect(eventIdFor('cmd-1', 0)).toBe('99483079-5be1-5ec4-99ad-e0ae79128bbe');
    expect(idempotentCommandIdFor('user_1', 'key-1')).toBe('813ec849-641b-5808-bcdb-56a36e2e7607');
    expect(idempotentCommandIdFor(undefined, 'key-1')).toBe('a7dde0b8-4695-5e24-a6db-491e4a831729');
    expect(reindexJobIdFor('cmd-1')).toBe('d561df3d-d7d3-53b0-8e6f-f29dba372124');
    expect(repositoryIdFor('cmd-1')).toBe('e648a3ca-8d39-5506-be21-8582759bae7f');
    expect(gitHubSetupCommandIdFor('nonce-1', '77')).toBe('719834f6-ce61-5978-98d0-8179f233b318');
    expect(gitHubOAuthCommandIdFor('nonce-1')).toBe('ec187cd2-5927-5772-ab9a-a5e12b14d678');
    expect(defaultWorkspaceIdFor('org_1')).toBe('725da010-dc1c-5ad6-8b65-15101d1a8ddf');
    expect(ingestionJobIdFor('initial-sync:req-1')).toBe('0c77e898-17a4-5043-9a06-c6b83c19d763');
    expect(pushJobIdFor('repo-1', 'abc123')).toBe('44f20d4c-41df-5177-b1b0-49d4352c647c');
    expect(connectionPushJobIdFor('ws_1', '42', 'abc123')).toBe('12019453-c730-513f-90f9-36c9d023286b');
    expect(seedJobCommandIdFor(7, 'ws_1', 3)).toBe('c6d9994d-6320-5bd2-8f02-069c52a84364');
    expect(documentIdFor('store_1', '42', 'docs/a.md')).toBe('doc_5ee5a4b86d3054a39c5421bf809dd705');
  });
});
