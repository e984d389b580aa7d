import { describeEventStoreContract } from '../event-store.contract.js';
import { EventStoreDbEventStore } from './eventstoredb.event-store.js';

/*
 * Runs only under `npm run test:esdb`, against a live server, e.g. `docker compose up eventstore`
 * and ESDB_URL=esdb://admin:changeit@localhost:2113?tls=false (subscribing to `$all` needs an admin).
 * The server keeps its data between runs: the contract suite names every stream and event type
 * with a fresh UUID and starts its subscriptions at the current head, so earlier runs do not leak in.
 */
const url = process.env.ESDB_URL;
if (!url) {
  throw new Error(
    'ESDB_URL is not set. `npm run test:esdb` runs the event store contract against a live EventStoreDB: ' +
      'start one (`docker compose up eventstore`) and set ESDB_URL, e.g. esdb://admin:changeit@localhost:2113?tls=false',
  );
}

describeEventStoreContract('EventStoreDB', async () => {
  const store = EventStoreDbEventStore.fromConnectionString(url);
  return { store, cleanup: () => store.close() };
});
