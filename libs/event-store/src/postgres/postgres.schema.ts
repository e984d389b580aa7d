/**
 * The event log. Order is (transaction_id, global_position): a subscriber reads only rows whose
 * transaction id is below the snapshot's xmin, i.e. whose transaction and every older one has ended,
 * so an event that commits late can never land behind a position a subscriber has already passed.
 * Appends lock only their own stream's row; there is no global writer lock.
 */
export const EVENT_STORE_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS es_streams (
  stream_id text PRIMARY KEY,
  revision bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS es_events (
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  global_position bigint GENERATED ALWAYS AS IDENTITY,
  event_id uuid NOT NULL,
  stream_id text NOT NULL,
  stream_revision bigint NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (transaction_id, global_position),
  UNIQUE (stream_id, stream_revision),
  UNIQUE (event_id)
);

-- One round trip per append. Returns status 'ok', 'duplicate' (the first event id is already stored:
-- a retried command, answered with the original result) or 'conflict' (with the actual revision).
CREATE OR REPLACE FUNCTION es_append(
  p_stream text, p_mode text, p_expected bigint,
  p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
) RETURNS TABLE (status text, revision bigint, position_xid xid8, position_seq bigint)
LANGUAGE plpgsql AS $$
DECLARE
  n int := cardinality(p_ids);
  last_revision bigint;
BEGIN
  SELECT e.stream_revision, e.transaction_id, e.global_position INTO revision, position_xid, position_seq
    FROM es_events e WHERE e.event_id = p_ids[1] AND e.stream_id = p_stream;
  IF FOUND THEN
    SELECT max(e.stream_revision), max(e.transaction_id), max(e.global_position) INTO revision, position_xid, position_seq
      FROM es_events e WHERE e.event_id = ANY(p_ids) AND e.stream_id = p_stream;
    status := 'duplicate';
    RETURN NEXT; RETURN;
  END IF;

  IF p_mode = 'no-stream' THEN
    INSERT INTO es_streams AS s (stream_id, revision) VALUES (p_stream, n - 1)
      ON CONFLICT (stream_id) DO NOTHING RETURNING s.revision INTO last_revision;
  ELSIF p_mode = 'exact' THEN
    UPDATE es_streams s SET revision = s.revision + n
      WHERE s.stream_id = p_stream AND s.revision = p_expected RETURNING s.revision INTO last_revision;
  ELSE
    INSERT INTO es_streams AS s (stream_id, revision) VALUES (p_stream, n - 1)
      ON CONFLICT (stream_id) DO UPDATE SET revision = s.revision + n RETURNING s.revision INTO last_revision;
  END IF;

  IF last_revision IS NULL THEN
    status := 'conflict';
    SELECT s.revision INTO revision FROM es_streams s WHERE s.stream_id = p_stream;
    RETURN NEXT; RETURN;
  END IF;

  INSERT INTO es_events (event_id, stream_id, stream_revision, type, data, metadata)
    SELECT u.id, p_stream, last_revision - n + u.ord, u.type, u.data, u.metadata
      FROM unnest(p_ids, p_types, p_data, p_metadata) WITH ORDINALITY AS u(id, type, data, metadata, ord)
      ORDER BY u.ord;

  SELECT e.transaction_id, e.global_position INTO position_xid, position_seq
    FROM es_events e WHERE e.stream_id = p_stream AND e.stream_revision = last_revision;
  status := 'ok';
  revision := last_revision;
  RETURN NEXT;
END $$;

-- Group commit: several appends (events flattened, p_counts per append) in one transaction, each
-- checked by es_append exactly as if alone, in array order, so a later append to the same stream sees
-- an earlier one's revision. One row per append (ord from 1). An append whose first event id is stored
-- in another stream answers 'id_in_use' instead of raising, so it cannot abort the others; callers
-- sort the appends by stream id, so two batches lock stream rows in one order and never deadlock.
CREATE OR REPLACE FUNCTION es_append_batch(
  p_streams text[], p_modes text[], p_expected bigint[], p_counts int[],
  p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
) RETURNS TABLE (ord int, status text, revision bigint, position_xid xid8, position_seq bigint)
LANGUAGE plpgsql AS $$
DECLARE
  lo int := 1;
  hi int;
BEGIN
  FOR i IN 1 .. cardinality(p_streams) LOOP
    hi := lo + p_counts[i] - 1;
    ord := i;
    IF EXISTS (SELECT 1 FROM es_events e WHERE e.event_id = p_ids[lo] AND e.stream_id <> p_streams[i]) THEN
      status := 'id_in_use';
      revision := NULL;
      position_xid := NULL;
      position_seq := NULL;
    ELSE
      SELECT a.status, a.revision, a.position_xid, a.position_seq INTO status, revision, position_xid, position_seq
        FROM es_append(p_streams[i], p_modes[i], p_expected[i], p_ids[lo:hi], p_types[lo:hi], p_data[lo:hi], p_metadata[lo:hi]) a;
    END IF;
    RETURN NEXT;
    lo := hi + 1;
  END LOOP;
END $$;
`;

export const EVENTS_CHANNEL = 'es_events';
