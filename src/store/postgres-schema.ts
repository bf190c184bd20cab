/**
 * fixover's tables in PostgreSQL, created on first use and migrated by version. The version lives
 * in `fixover_schema`; migrations run in one transaction under an advisory lock, so processes
 * starting together do not race, and a database newer than this code is refused.
 *
 * - `fixover_sessions`: one row per session (name, creation time).
 * - `fixover_seqnums`: the next sender and target sequence numbers, one row each, written separately.
 * - `fixover_messages`: outgoing messages by sequence number, for resends.
 * - `fixover_owners`: the session's owner and ownership epoch (fenced ownership).
 * - `fixover_write(...)`: one round trip per flush: checks the writer's epoch, then resets, stores
 *   messages (sent as one binary bytea and their lengths) and sets the sequence numbers that changed.
 * - Clusters of acceptor nodes (docs/cluster.md), version 3: `fixover_owners.moving_to`/`moving_until`
 *   (a session handed over to one node), `fixover_owners.refused_seq`/`refused_session_time` (the
 *   MsgSeqNum of the last refusal Logout sent for the session and the store's creation time in ms
 *   then, `src/fencing/refusal-record.ts`); `fixover_cluster_members` (member records with their
 *   lease), `fixover_cluster_leases` (the coordinator lease of each cluster, with its epoch),
 *   `fixover_cluster_state` (the topology and the planner's memory), `fixover_cluster_moves` (move
 *   orders), `fixover_cluster_move_requests` (operators' move requests) and `fixover_cluster_drains`
 *   (drain requests).
 */
import type { PgQueryable as PoolClient } from './pg-driver.js';
import { FixoverError } from '../codec/errors.js';

/** Advisory lock namespace (first key) of fixover; the second key is a session id, 0 for migrations. */
export const LOCK_NAMESPACE = 0x46_58_4f_56; // 'FXOV'

/** SQLSTATE raised by `fixover_write` when the writer's epoch is not the owner's. */
export const FENCED_SQLSTATE = 'FXF01';

const MIGRATIONS: ReadonlyArray<(s: string) => string> = [
  // 1: the initial schema.
  (s) => `
CREATE TABLE ${s}.fixover_sessions (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  creation_time timestamptz NOT NULL
);
CREATE TABLE ${s}.fixover_seqnums (
  session_id integer NOT NULL REFERENCES ${s}.fixover_sessions(id) ON DELETE CASCADE,
  direction text NOT NULL CHECK (direction IN ('sender', 'target')),
  next_seq bigint NOT NULL,
  PRIMARY KEY (session_id, direction)
);
CREATE TABLE ${s}.fixover_messages (
  session_id integer NOT NULL,
  seq bigint NOT NULL,
  body bytea NOT NULL,
  PRIMARY KEY (session_id, seq)
);
CREATE TABLE ${s}.fixover_owners (
  session_id integer PRIMARY KEY REFERENCES ${s}.fixover_sessions(id) ON DELETE CASCADE,
  epoch bigint NOT NULL DEFAULT 0,
  node text NOT NULL DEFAULT '',
  host text NOT NULL DEFAULT '',
  pid integer NOT NULL DEFAULT 0,
  renewed_at timestamptz,
  lease_ms integer NOT NULL DEFAULT 0,
  released boolean NOT NULL DEFAULT true,
  locked boolean NOT NULL DEFAULT false
);
CREATE FUNCTION ${s}.fixover_write(p_session integer, p_epoch bigint, p_reset timestamptz, p_seqs bigint[], p_bodies bytea[], p_sender bigint, p_target bigint)
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  IF p_epoch IS NOT NULL THEN
    PERFORM 1 FROM ${s}.fixover_owners WHERE session_id = p_session AND epoch = p_epoch AND NOT released FOR SHARE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'epoch % no longer owns session %', p_epoch, p_session USING ERRCODE = '${FENCED_SQLSTATE}';
    END IF;
  END IF;
  IF p_reset IS NOT NULL THEN
    DELETE FROM ${s}.fixover_messages WHERE session_id = p_session;
    UPDATE ${s}.fixover_sessions SET creation_time = p_reset WHERE id = p_session;
  END IF;
  IF cardinality(p_seqs) > 0 THEN
    INSERT INTO ${s}.fixover_messages (session_id, seq, body)
      SELECT p_session, t.seq, t.body FROM unnest(p_seqs, p_bodies) AS t(seq, body)
      ON CONFLICT (session_id, seq) DO UPDATE SET body = EXCLUDED.body;
  END IF;
  IF p_sender IS NOT NULL THEN
    UPDATE ${s}.fixover_seqnums SET next_seq = p_sender WHERE session_id = p_session AND direction = 'sender';
  END IF;
  IF p_target IS NOT NULL THEN
    UPDATE ${s}.fixover_seqnums SET next_seq = p_target WHERE session_id = p_session AND direction = 'target';
  END IF;
END
$fn$;
`,
  // 2: messages travel as one binary bytea with their lengths (no per-message text encoding).
  (s) => `
DROP FUNCTION ${s}.fixover_write(integer, bigint, timestamptz, bigint[], bytea[], bigint, bigint);
CREATE FUNCTION ${s}.fixover_write(p_session integer, p_epoch bigint, p_reset timestamptz, p_seqs bigint[], p_lengths integer[], p_bodies bytea, p_sender bigint, p_target bigint)
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  IF p_epoch IS NOT NULL THEN
    PERFORM 1 FROM ${s}.fixover_owners WHERE session_id = p_session AND epoch = p_epoch AND NOT released FOR SHARE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'epoch % no longer owns session %', p_epoch, p_session USING ERRCODE = '${FENCED_SQLSTATE}';
    END IF;
  END IF;
  IF p_reset IS NOT NULL THEN
    DELETE FROM ${s}.fixover_messages WHERE session_id = p_session;
    UPDATE ${s}.fixover_sessions SET creation_time = p_reset WHERE id = p_session;
  END IF;
  IF cardinality(p_seqs) > 0 THEN
    INSERT INTO ${s}.fixover_messages (session_id, seq, body)
      SELECT p_session, t.seq, substring(p_bodies FROM t.start FOR t.len)
      FROM (SELECT u.seq, u.len, 1 + coalesce(sum(u.len) OVER (ORDER BY u.i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::integer AS start
            FROM unnest(p_seqs, p_lengths) WITH ORDINALITY AS u(seq, len, i)) AS t
      ON CONFLICT (session_id, seq) DO UPDATE SET body = EXCLUDED.body;
  END IF;
  IF p_sender IS NOT NULL THEN
    UPDATE ${s}.fixover_seqnums SET next_seq = p_sender WHERE session_id = p_session AND direction = 'sender';
  END IF;
  IF p_target IS NOT NULL THEN
    UPDATE ${s}.fixover_seqnums SET next_seq = p_target WHERE session_id = p_session AND direction = 'target';
  END IF;
END
$fn$;
`,
  // 3: clusters (docs/cluster.md): the hand-over reservation and the cluster's tables.
  (s) => `
ALTER TABLE ${s}.fixover_owners ADD COLUMN moving_to text, ADD COLUMN moving_until timestamptz,
  ADD COLUMN refused_seq bigint NOT NULL DEFAULT 0, ADD COLUMN refused_session_time bigint NOT NULL DEFAULT 0;
CREATE TABLE ${s}.fixover_cluster_members (
  cluster text NOT NULL,
  node text NOT NULL,
  record jsonb NOT NULL,
  renewed_at timestamptz NOT NULL,
  lease_ms integer NOT NULL,
  PRIMARY KEY (cluster, node)
);
CREATE TABLE ${s}.fixover_cluster_leases (
  cluster text PRIMARY KEY,
  epoch bigint NOT NULL DEFAULT 0,
  node text NOT NULL DEFAULT '',
  host text NOT NULL DEFAULT '',
  pid integer NOT NULL DEFAULT 0,
  renewed_at timestamptz,
  lease_ms integer NOT NULL DEFAULT 0,
  released boolean NOT NULL DEFAULT true
);
CREATE TABLE ${s}.fixover_cluster_state (
  cluster text NOT NULL,
  key text NOT NULL CHECK (key IN ('topology', 'planner')),
  value jsonb NOT NULL,
  PRIMARY KEY (cluster, key)
);
CREATE TABLE ${s}.fixover_cluster_moves (
  cluster text NOT NULL,
  session text NOT NULL,
  move jsonb NOT NULL,
  PRIMARY KEY (cluster, session)
);
CREATE TABLE ${s}.fixover_cluster_drains (
  cluster text NOT NULL,
  node text NOT NULL,
  requested_at timestamptz NOT NULL,
  PRIMARY KEY (cluster, node)
);
CREATE TABLE ${s}.fixover_cluster_move_requests (
  cluster text NOT NULL,
  session text NOT NULL,
  request jsonb NOT NULL,
  PRIMARY KEY (cluster, session)
);
`,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Thrown when the database was migrated by a newer fixover. */
export class SchemaTooNewError extends FixoverError {}

/** Creates or migrates the schema; returns the version found before (0: created now). */
export async function migrate(client: PoolClient, schema: string): Promise<number> {
  const s = quote(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK_NAMESPACE]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.fixover_schema (version integer NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.fixover_schema`);
    const found = rows.length === 0 ? 0 : rows[0].version;
    if (found > SCHEMA_VERSION) throw new SchemaTooNewError(`schema ${schema} is at version ${found}, newer than this fixover (${SCHEMA_VERSION})`);
    for (let v = found; v < SCHEMA_VERSION; v++) await client.query(MIGRATIONS[v](s));
    if (rows.length === 0) await client.query(`INSERT INTO ${s}.fixover_schema (version) VALUES ($1)`, [SCHEMA_VERSION]);
    else if (found < SCHEMA_VERSION) await client.query(`UPDATE ${s}.fixover_schema SET version = $1`, [SCHEMA_VERSION]);
    await client.query('COMMIT');
    return found;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** A quoted identifier. */
export function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
