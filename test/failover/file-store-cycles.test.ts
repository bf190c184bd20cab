/**
 * Ten failovers back and forth in one run: kill -9 the active executor, the client moves to the
 * standby, the dead node is restarted and becomes the standby, and so on. The session survives
 * every cycle with nothing lost, nothing duplicated unflagged and its numbers never going back.
 */
import { test } from 'node:test';
import { Cluster, failoverCycles } from './harness.js';

const CYCLES = 10;

test(`${CYCLES} failovers back and forth: the killed node restarts as the standby, the session moves each time`, { timeout: 170_000 }, async () => {
  const cluster = new Cluster();
  try {
    await failoverCycles(cluster, CYCLES);
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    cluster.killAll();
  }
});
