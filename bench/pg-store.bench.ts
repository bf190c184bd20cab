/**
 * PostgreSQL store benchmark: stored messages per second for one session, through the store API
 * as the session driver uses it (save the messages of an event-loop turn, then flush; bytes would
 * go to the socket when the flush resolves), on a private server with fsync on.
 *
 *   npm run bench:pg            full run
 *   npm run bench:pg -- --quick short smoke run
 *
 * Cases (ExecutionReport-sized messages, ~300 bytes, with fenced ownership as in failover setups):
 *  - turns of 1, 10 and 100 messages, the producer at most 1,000 messages ahead of the confirmed
 *    flushes (a session's socket writes wait for the store): flushes asked for while one is in
 *    flight share the next round trip (group commit), so round trips carry more under load;
 *  - one message per flush, each awaited before the next (no batching; what a store that commits
 *    every message on its own gets), for comparison.
 * The server is FIXOVER_TEST_PG_URL when set, else a private one (PostgreSQL 15 binaries).
 * Target: >= 20,000 stored messages/s for one session.
 */
import { performance } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';
import { PostgresDatabase, PostgresStore } from '../src/store/index.js';
import { PostgresOwnership } from '../src/fencing/index.js';
import { startPostgres } from '../test/support/postgres.js';

const quick = process.argv.includes('--quick');

function message(seq: number): Buffer {
  const body = `35=8\x0134=${seq}\x0149=EXEC\x0156=BANZAI\x0152=20261123-10:00:00.000\x0137=O${seq}\x0111=C${seq}\x0117=E${seq}\x01150=2\x0139=2\x0155=IBM\x0154=1\x0138=100\x0144=123.45\x0132=100\x0131=123.45\x01151=0\x0114=100\x016=123.45\x0160=20261123-10:00:00.000\x0158=${'x'.repeat(60)}\x01`;
  const head = `8=FIX.4.2\x019=${body.length}\x01${body}`;
  let sum = 0;
  for (let i = 0; i < head.length; i++) sum += head.charCodeAt(i);
  return Buffer.from(`${head}10=${String(sum & 0xff).padStart(3, '0')}\x01`, 'latin1');
}

/** Messages a session may have stored but not yet confirmed (written to its socket). */
const WINDOW = 1_000;

interface Result {
  name: string;
  messages: number;
  seconds: number;
  roundTrips: number;
}

async function batched(store: PostgresStore, first: number, n: number, perTurn: number): Promise<Result> {
  const trips0 = store.writeRoundTrips;
  const outstanding: Array<{ flushed: Promise<void>; upTo: number }> = [];
  const t0 = performance.now();
  let seq = first;
  let confirmed = first;
  const end = first + n;
  while (seq < end) {
    for (let k = 0; k < perTurn && seq < end; k++, seq++) store.saveOutgoing(seq, message(seq));
    outstanding.push({ flushed: store.flush(), upTo: seq });
    // Like a session whose socket writes wait for the store: at most WINDOW messages unconfirmed.
    while (seq - confirmed > WINDOW) {
      const o = outstanding.shift()!;
      await o.flushed;
      confirmed = o.upTo;
    }
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(outstanding.map((o) => o.flushed));
  const seconds = (performance.now() - t0) / 1000;
  return { name: `turns of ${perTurn}`, messages: n, seconds, roundTrips: store.writeRoundTrips - trips0 };
}

async function unbatched(store: PostgresStore, first: number, n: number): Promise<Result> {
  const trips0 = store.writeRoundTrips;
  const t0 = performance.now();
  for (let seq = first; seq < first + n; seq++) {
    store.saveOutgoing(seq, message(seq));
    await store.flush();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { name: 'one message per flush', messages: n, seconds, roundTrips: store.writeRoundTrips - trips0 };
}

async function main(): Promise<void> {
  const server = await startPostgres({ fsync: true });
  try {
    const schema = await server.newSchema('bench');
    const fsync = (await server.query<{ fsync: string; synchronous_commit: string }>("SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit")).rows[0];
    const database = new PostgresDatabase({ url: server.url, schema });
    const session = 'FIX.4.2:EXEC->BANZAI';
    const store = await PostgresStore.open({ database, session });
    const ownership = new PostgresOwnership({ database, session, node: 'bench', leaseMs: 60_000 });
    await ownership.acquire();
    store.fenceBy(ownership);
    const n = quick ? 5_000 : 50_000;
    // Warm-up: connections, prepared statements, table pages.
    await batched(store, 1, 2_000, 100);
    let next = 2_001;
    const results: Result[] = [];
    for (const perTurn of [1, 10, 100]) {
      results.push(await batched(store, next, n, perTurn));
      next += n;
    }
    results.push(await unbatched(store, next, quick ? 500 : 2_000));
    next += quick ? 500 : 2_000;
    const stored = Number((await server.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".fixover_messages`)).rows[0].n);
    if (stored !== next - 1) throw new Error(`expected ${next - 1} stored messages, found ${stored}`);
    await ownership.release();
    await store.close();
    await database.close();

    console.log(`PostgreSQL store, one session, ${message(1).length}-byte messages, fsync=${fsync.fsync} synchronous_commit=${fsync.synchronous_commit}`);
    console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log('case                      messages   seconds   messages/s   msgs/round trip');
    for (const r of results) {
      console.log(`${r.name.padEnd(24)} ${String(r.messages).padStart(9)} ${r.seconds.toFixed(2).padStart(9)} ${Math.round(r.messages / r.seconds).toString().padStart(12)} ${(r.messages / r.roundTrips).toFixed(1).padStart(17)}`);
    }
    const best = Math.max(...results.slice(0, 3).map((r) => r.messages / r.seconds));
    const base = results[3].messages / results[3].seconds;
    console.log(`batched vs one message per flush: ${(best / base).toFixed(1)}x; target >= 20,000 messages/s: ${best >= 20_000 ? 'met' : 'NOT met'}`);
  } finally {
    await server.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
