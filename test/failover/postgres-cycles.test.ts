/**
 * Ten failovers back and forth on a PostgreSQL store (see failoverCycles): each kill -9 ends the
 * owner's lock connection, so the restarted standby of the previous cycle takes over at once.
 */
import { test } from 'node:test';
import { failoverCycles } from './harness.js';
import { usePostgres } from './postgres-cluster.js';

const CYCLES = 10;
const pg = usePostgres();

test(`${CYCLES} failovers back and forth on a PostgreSQL store: the killed node restarts as the standby, the session moves each time`, { skip: pg.skip, timeout: 170_000 }, async () => {
  const cluster = await pg.cluster('cycles');
  try {
    await failoverCycles(cluster, CYCLES);
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    cluster.killAll();
  }
});
