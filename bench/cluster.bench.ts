/**
 * Cluster benchmark (issue 14 §7): real `fixover executor` processes on 127.0.0.1, clients in this
 * process (bench/cluster-fleet.ts). Not a timed test: it prints what it measured.
 *
 *   npm run bench:cluster                          full run (300 sessions, 3 storm runs; minutes)
 *   npm run bench:cluster -- --quick               short smoke run (30 sessions in the cluster cases, 1 storm run)
 *   npm run bench:cluster -- --runs 5 --sessions 300 --rate 300 --store file,postgresql
 *   npm run bench:cluster -- --case storm,failover,rolling --clients quickfix-style
 *
 * Cases:
 *  - logon storm: N sessions log on to one node at once (fresh connections, ResetOnLogon=Y, file
 *    store), N = 150 and 300, fixover and QuickFIX C++'s example executor side by side in the same
 *    run, same settings file, alternating which goes first. Time from the first connect to the
 *    last Logon answered. QuickFIX C++ aborts at 300 sessions with a file store (its select()
 *    reactor past FD_SETSIZE): the row says so.
 *  - mass failover: 3 nodes, `--sessions` sessions evenly spread (the rebalancer evens out the
 *    clients' first choice), orders flowing (`--rate` orders/s in all); kill -9 the node holding
 *    a third: time until each of its sessions is logged on elsewhere (p50/p99/max); and the other
 *    sessions' outages until the dead node's member record has lapsed (none expected).
 *  - rebalance after return: the killed node restarts (default rebalance settings): time from
 *    the restart to an even split (±1), sessions moved twice, the moved sessions' pause (disconnect
 *    after the Logout to Logon at the target) p99/max. Lost orders are counted over the failover
 *    and the return together (one client run).
 *  - rolling restart: a fresh 3-node cluster under load; each node in turn drains (SIGUSR2), exits,
 *    starts again and gets its share back before the next: the longest pause of any session, lost.
 *  - paused owner (`--case paused`): a fresh 3-node cluster under load; SIGSTOP of the node holding
 *    a third: time until each of its sessions is logged on elsewhere (p50/p99/max) against the
 *    target SessionLeaseTimeout + 1 s; then SIGCONT: how many of the sessions it lost it says it
 *    lost (it fences itself: writes and sends nothing more for them), and orders lost or
 *    duplicated over the whole run.
 *
 * `--clients fixover` (default): fixover's failover transport (randomize=true, announces cluster
 * support: told where to reconnect). `--clients quickfix-style`: alternate addresses tried in turn
 * with ReconnectInterval=1 (`--reconnect-interval`), no cluster support, as a QuickFIX client is
 * configured. Stores: `file` (a shared directory) and `postgresql` (a private server, as the tests
 * start) — run only where cluster membership on PostgreSQL is built; otherwise printed as skipped
 * with the reason.
 *
 * `--node-arg FLAG` (repeatable) adds a Node/V8 flag for the storm's fixover executor (e.g.
 * `--trace-gc`); `--profile DIR` starts it with `--cpu-prof` and leaves the profiles in DIR (the
 * executor is then stopped with SIGTERM so that it writes them).
 *
 * Lost = orders sent and never filled after a 15 s settle; every client session keeps its own
 * messages (memory store), so a gap is resent, not lost.
 */
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Cluster, type Node } from '../test/failover/harness.js';
import { PostgresCluster } from '../test/failover/postgres-cluster.js';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../test/support/postgres.js';
import { freePort, startFixover, type Proc } from '../scripts/peers/process.js';
import { installQuickfixExecutor, quickfixSkipReason, startQuickfixExecutor } from '../scripts/peers/quickfix.js';
import { clusterConfigFrom } from '../src/cluster/index.js';
import { Fleet, logonStorm, type ClientKind, type StormResult } from './cluster-fleet.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const QUICK = args.includes('--quick');
const RUNS = Number(opt('--runs') ?? (QUICK ? 1 : 3));
const SESSIONS = Number(opt('--sessions') ?? (QUICK ? 30 : 300));
const RATE = Number(opt('--rate') ?? (QUICK ? 30 : 300));
const STORM_SIZES = (opt('--storm-sizes') ?? '150,300').split(',').map(Number);
const CLIENTS = (opt('--clients') ?? 'fixover') as ClientKind;
const RECONNECT = Number(opt('--reconnect-interval') ?? 1);
const CASES = new Set((opt('--case') ?? 'storm,failover,rolling,paused').split(','));
const STORES = (opt('--store') ?? 'file,postgresql').split(',');
const PROFILE = opt('--profile');
/** `--node-arg FLAG` (repeatable): Node/V8 flags for the storm's fixover executor. */
const NODE_ARGS = [
  ...args.flatMap((a, i) => (a === '--node-arg' && args[i + 1] ? [args[i + 1]] : [])),
  ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(PROFILE)}`] : []),
];
for (const [name, ok] of [
  ['--runs', Number.isInteger(RUNS) && RUNS >= 1],
  ['--sessions', Number.isInteger(SESSIONS) && SESSIONS >= 3],
  ['--rate', RATE > 0],
  ['--storm-sizes', STORM_SIZES.every((n) => Number.isInteger(n) && n > 0)],
  ['--clients', CLIENTS === 'fixover' || CLIENTS === 'quickfix-style'],
  ['--reconnect-interval', Number.isInteger(RECONNECT) && RECONNECT >= 1],
  ['--case', [...CASES].every((c) => ['storm', 'failover', 'rolling', 'paused'].includes(c))],
  ['--store', STORES.every((s) => s === 'file' || s === 'postgresql')],
] as const) {
  if (!ok) {
    console.error(`${name}: invalid value (see the usage at the top of bench/cluster.bench.ts)`);
    process.exit(2);
  }
}

/** Cluster settings of the nodes: rebalancing and pushes on, every pacing setting at its default. */
const CLUSTER_SETTINGS = 'RebalanceClusterClients=Y\nUpdateClusterClients=Y\nSocketAcceptAddress=127.0.0.1';

const round1 = (x: number): number => Math.round(x * 10) / 10;
const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function until<T>(what: string, fn: () => T | undefined | false, ms: number, every = 50): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

// ---------------------------------------------------------------------------------------------
// Logon storm

function stormConfig(port: number, names: readonly string[]): string {
  const head = [
    '[DEFAULT]',
    'ConnectionType=acceptor',
    `SocketAcceptPort=${port}`,
    'SocketAcceptAddress=127.0.0.1',
    'SocketNodelay=Y',
    'StartTime=00:00:00',
    'EndTime=00:00:00',
    'HeartBtInt=30',
    'UseDataDictionary=N',
    'FileStorePath=store',
    'ScreenLogShowIncoming=N',
    'ScreenLogShowOutgoing=N',
    'ScreenLogShowEvents=N',
    'CheckLatency=N',
    'ResetOnLogon=Y',
    'ResetOnLogout=Y',
    'ResetOnDisconnect=Y',
    'BeginString=FIX.4.4',
    'SenderCompID=EXECUTOR',
    '',
  ];
  return [...head, ...names.map((n) => `[SESSION]\nTargetCompID=${n}\n`)].join('\n');
}

type StormImpl = 'fixover' | 'quickfix';

async function stormOnce(impl: StormImpl, n: number): Promise<StormResult> {
  const dir = mkdtempSync(join(tmpdir(), `fixover-bench-storm-${impl}-`));
  const port = await freePort();
  const names = Array.from({ length: n }, (_, i) => `CL${i + 1}`);
  writeFileSync(join(dir, 'storm.cfg'), stormConfig(port, names));
  let proc: Proc | undefined;
  try {
    if (impl === 'quickfix') {
      installQuickfixExecutor(dir);
      proc = await startQuickfixExecutor(dir, 'storm.cfg', port, 30_000);
    } else {
      proc = startFixover(['executor', 'storm.cfg'], dir, NODE_ARGS);
      await proc.waitFor(/listening on \d+/, 60_000);
    }
    await sleep(300);
    const r = await logonStorm(port, names, 'EXECUTOR', 'FIX.4.4', 20_000);
    await sleep(100);
    const c = proc.child;
    if (c.exitCode !== null || c.signalCode !== null) {
      const tail = proc.output().trim().split('\n').slice(-2).join(' / ');
      return { ...r, ms: undefined, failure: `the executor exited (${c.signalCode ?? `code ${c.exitCode}`}): ${tail}` };
    }
    return r;
  } catch (e) {
    // The first line, and what the executor said when it aborted (QuickFIX C++: `*** bit out of range 0 - FD_SETSIZE on fd_set ***`).
    const text = e instanceof Error ? e.message : String(e);
    const said = text.split('\n').find((l) => /\*\*\*|abort|terminat/i.test(l));
    return { sessions: n, loggedOn: 0, ms: undefined, failure: `${text.split('\n')[0].replace(/:$/, '')}${said ? `: ${said.trim()}` : ''}` };
  } finally {
    await proc?.stop(PROFILE && impl === 'fixover' ? 'SIGTERM' : 'SIGKILL', PROFILE ? 10_000 : 2000);
    rmSync(dir, { recursive: true, force: true });
  }
}

interface StormRow {
  sessions: number;
  fixover: number[];
  quickfix: number[];
  fixoverFailures: string[];
  quickfixFailures: string[];
}

async function storm(): Promise<StormRow[]> {
  const qfSkip = quickfixSkipReason();
  if (qfSkip) log(`logon storm: QuickFIX C++ side skipped: ${qfSkip}`);
  const rows: StormRow[] = STORM_SIZES.map((sessions) => ({ sessions, fixover: [], quickfix: [], fixoverFailures: [], quickfixFailures: [] }));
  for (let run = 0; run < RUNS; run++) {
    for (const row of rows) {
      const impls: StormImpl[] = qfSkip ? ['fixover'] : run % 2 === 0 ? ['fixover', 'quickfix'] : ['quickfix', 'fixover'];
      for (const impl of impls) {
        const r = await stormOnce(impl, row.sessions);
        log(`logon storm run ${run + 1}/${RUNS}: ${impl} ${row.sessions} sessions: ${r.ms === undefined ? `FAILED (${r.loggedOn} logged on): ${r.failure}` : `${round1(r.ms)} ms`}`);
        if (r.ms !== undefined) row[impl].push(round1(r.ms));
        else row[impl === 'fixover' ? 'fixoverFailures' : 'quickfixFailures'].push(r.failure ?? 'failed');
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Cluster cases

type StoreKind = 'file' | 'postgresql';

/** Why cluster membership cannot run on a PostgreSQL store on this build, or undefined when it can. */
function postgresClusterUnsupported(): string | undefined {
  try {
    clusterConfigFrom([{ ConnectionType: 'acceptor', NodeName: 'probe', RebalanceClusterClients: 'Y', SessionOwnership: 'Y', PostgreSQLStoreURL: 'postgresql://probe/probe' }]);
    return undefined;
  } catch (e) {
    return `cluster membership on a PostgreSQL store is not built here (${e instanceof Error ? e.message : String(e)})`;
  }
}

interface FailoverResult {
  store: StoreKind;
  sessions: number;
  victimHeld: number;
  failover: { p50: number; p99: number; max: number; notBack: number; collateral: number; collateralMax: number };
  rebalance: { evenMs: number | undefined; fromListeningMs: number | undefined; moved: number; movedTwice: number; pauseP99: number; pauseMax: number; split: string };
  orders: { sent: number; lost: number; unflaggedDuplicates: number };
}

interface RollingResult {
  store: StoreKind;
  sessions: number;
  longestPauseMs: number;
  pauseP99: number;
  totalMs: number;
  /** Each node's drain (signal to exit) and share back (restart to an even split again). */
  steps: Array<{ node: string; drainMs: number; shareBackMs: number }>;
  orders: { sent: number; lost: number; unflaggedDuplicates: number };
}

interface PausedResult {
  store: StoreKind;
  sessions: number;
  victimHeld: number;
  /** SessionLeaseTimeout + 1 s. */
  targetMs: number;
  back: { p50: number; p99: number; max: number; notBack: number };
  collateral: number;
  collateralMax: number;
  /** Sessions it held that the woken node reported lost (fenced itself), of victimHeld. */
  fenced: number;
  orders: { sent: number; lost: number; flaggedDuplicates: number; unflaggedDuplicates: number };
}

const NAMES = Array.from({ length: SESSIONS }, (_, i) => `S${i + 1}`);
const NODE_NAMES = ['A', 'B', 'C'];

async function startCluster(store: StoreKind, pg: TestPostgres | undefined, tag: string): Promise<{ cluster: Cluster; ports: number[]; nodes: Node[] }> {
  const cluster = pg ? new PostgresCluster(pg, await pg.newSchema(`bench_cluster_${tag}`)) : new Cluster();
  const ports = [await freePort(), await freePort(), await freePort()];
  const nodes: Node[] = [];
  for (let i = 0; i < 3; i++) nodes.push(await cluster.startNode(NODE_NAMES[i], ports[i], { clients: NAMES, settings: CLUSTER_SETTINGS }));
  log(`${store}: 3 nodes listening, ${SESSIONS} sessions each configured`);
  return { cluster, ports, nodes };
}

const spread = (fleet: Fleet): number[] => [...fleet.placement().values()];
const isEven = (fleet: Fleet): boolean => fleet.allLoggedOn() && Math.max(...spread(fleet)) - Math.min(...spread(fleet)) <= 1;

async function startFleet(ports: number[]): Promise<Fleet> {
  const fleet = new Fleet({ names: NAMES, ports, kind: CLIENTS, rate: RATE / SESSIONS, reconnectInterval: RECONNECT });
  fleet.start();
  await until('every session logged on', () => fleet.allLoggedOn(), 60_000);
  const t0 = performance.now();
  await until('an even split before the case starts', () => isEven(fleet), 180_000, 100);
  log(`every session logged on, even split ${spread(fleet).join('/')} (${Math.round(performance.now() - t0)} ms of rebalancing after the last logon)`);
  return fleet;
}

async function failoverAndReturn(store: StoreKind, pg: TestPostgres | undefined): Promise<FailoverResult> {
  const { cluster, ports, nodes } = await startCluster(store, pg, 'failover');
  try {
    const fleet = await startFleet(ports);
    await sleep(1000);
    // Mass failover: kill -9 node C.
    const victim = nodes[2];
    const held = fleet.sessions.filter((s) => s.port === victim.port);
    const exited = once(victim.proc.child, 'exit');
    const t0 = performance.now();
    victim.proc.child.kill('SIGKILL');
    await exited;
    const backAt = (s: (typeof held)[number]): number | undefined => s.logons.find((l) => l.at > t0 && l.port !== victim.port)?.at;
    await until('every session of the killed node logged on elsewhere', () => held.every((s) => backAt(s) !== undefined), 60_000).catch((e: unknown) => log(String(e)));
    const times = held.map(backAt).filter((x): x is number => x !== undefined).map((at) => at - t0);
    log(`mass failover: ${times.length}/${held.length} back, p50 ${round1(percentile(times, 50))} ms, max ${round1(Math.max(...times))} ms`);
    // The other sessions: watch until the dead node's member record has lapsed (ClusterLeaseTimeout,
    // default 5 s, plus a margin) and every session is logged on; any outage they had is collateral.
    await until('every session logged on, the dead member gone', () => fleet.allLoggedOn() && performance.now() - t0 > 8000, 60_000, 100).catch((e: unknown) => log(String(e)));
    const heldSet = new Set(held);
    const collateral = fleet.sessions.filter((s) => !heldSet.has(s)).flatMap((s) => s.pauses.filter((p) => p.end - p.ms > t0).map((p) => p.ms));
    const down = fleet.sessions.filter((s) => s.port === undefined).length;
    log(`mass failover: ${collateral.length} outage(s) of sessions the dead node did not hold, longest ${collateral.length ? round1(Math.max(...collateral)) : 0} ms; ${down} session(s) down now`);

    // Rebalance after return: the killed node restarts with the same name.
    const t1 = performance.now();
    cluster.nodes.splice(cluster.nodes.indexOf(victim), 1);
    nodes[2] = await cluster.startNode(NODE_NAMES[2], ports[2], { clients: NAMES, settings: CLUSTER_SETTINGS });
    const listening = performance.now();
    const evenAt = await until('an even split after the return', () => isEven(fleet) && fleet.placement().get(ports[2])! > 0 && performance.now(), 180_000, 100).catch((e: unknown) => {
      log(String(e));
      return undefined;
    });
    // Watch a while longer: a session that moves again shows up here.
    await sleep(QUICK ? 5000 : 10_000);
    const after = fleet.sessions.map((s) => s.logons.filter((l) => l.at > t1));
    const moved = after.filter((ls) => ls.length > 0).length;
    const movedTwice = after.filter((ls) => ls.length > 1).length;
    const pauses = fleet.sessions.flatMap((s) => s.pauses.filter((p) => p.end > t1).map((p) => p.ms));
    const split = spread(fleet).join('/');
    log(`rebalance after return: even in ${evenAt === undefined ? 'never' : Math.round(evenAt - t1)} ms, ${moved} moved, ${movedTwice} moved twice, pause p99 ${round1(percentile(pauses, 99))} ms, split ${split}`);
    const orders = await fleet.finish();
    log(`orders: ${orders.sent} sent, ${orders.lost} lost, ${orders.unflaggedDuplicates} unflagged duplicates`);
    return {
      store,
      sessions: SESSIONS,
      victimHeld: held.length,
      failover: { p50: round1(percentile(times, 50)), p99: round1(percentile(times, 99)), max: round1(Math.max(...times)), notBack: held.length - times.length, collateral: collateral.length, collateralMax: collateral.length ? round1(Math.max(...collateral)) : 0 },
      rebalance: {
        evenMs: evenAt === undefined ? undefined : Math.round(evenAt - t1),
        fromListeningMs: evenAt === undefined ? undefined : Math.round(evenAt - listening),
        moved,
        movedTwice,
        pauseP99: round1(percentile(pauses, 99)),
        pauseMax: round1(Math.max(...pauses)),
        split,
      },
      orders,
    };
  } finally {
    cluster.killAll();
  }
}

async function rolling(store: StoreKind, pg: TestPostgres | undefined): Promise<RollingResult> {
  const { cluster, ports, nodes } = await startCluster(store, pg, 'rolling');
  try {
    const fleet = await startFleet(ports);
    await sleep(1000);
    const t0 = performance.now();
    const steps: RollingResult['steps'] = [];
    for (let i = 0; i < 3; i++) {
      const node = nodes[i];
      const exited = once(node.proc.child, 'exit');
      const d0 = performance.now();
      node.proc.child.kill('SIGUSR2');
      const [code] = (await exited) as [number | null];
      const drainMs = Math.round(performance.now() - d0);
      if (code !== 0) throw new Error(`node ${node.name} exited ${code} after its drain:\n${node.proc.output().slice(-2000)}`);
      writeFileSync(join(cluster.dir, `drained-${node.name}.out`), node.proc.output());
      cluster.nodes.splice(cluster.nodes.indexOf(node), 1);
      const r0 = performance.now();
      nodes[i] = await cluster.startNode(NODE_NAMES[i], ports[i], { clients: NAMES, settings: CLUSTER_SETTINGS });
      await until(`node ${NODE_NAMES[i]} has its share again`, () => isEven(fleet) && fleet.placement().get(ports[i])! > 0, 180_000, 100);
      steps.push({ node: node.name, drainMs, shareBackMs: Math.round(performance.now() - r0) });
      log(`rolling restart: node ${node.name} drained in ${drainMs} ms (exit 0), restarted and has its share back after ${steps.at(-1)!.shareBackMs} ms, split ${spread(fleet).join('/')} (output in ${cluster.dir})`);
    }
    const totalMs = Math.round(performance.now() - t0);
    const pauses = fleet.sessions.flatMap((s) => s.pauses.filter((p) => p.end > t0).map((p) => p.ms));
    const orders = await fleet.finish();
    log(`rolling restart: longest pause ${round1(Math.max(...pauses))} ms; orders ${orders.sent} sent, ${orders.lost} lost`);
    return { store, sessions: SESSIONS, longestPauseMs: round1(Math.max(...pauses)), pauseP99: round1(percentile(pauses, 99)), totalMs, steps, orders };
  } finally {
    cluster.killAll();
  }
}

/** The nodes' session lease (the harness's SessionLeaseTimeout, 5 s). */
const SESSION_LEASE_MS = 5000;

async function pausedOwner(store: StoreKind, pg: TestPostgres | undefined): Promise<PausedResult> {
  const { cluster, ports, nodes } = await startCluster(store, pg, 'paused');
  const victim = nodes[2];
  try {
    const fleet = await startFleet(ports);
    await sleep(1000);
    const held = fleet.sessions.filter((s) => s.port === victim.port);
    const t0 = performance.now();
    victim.proc.child.kill('SIGSTOP');
    const backAt = (s: (typeof held)[number]): number | undefined => s.logons.find((l) => l.at > t0 && l.port !== victim.port)?.at;
    // A quickfix-style client leaves the silent node only at its heartbeat timeout (HeartBtInt 30).
    await until('every session of the paused node logged on elsewhere', () => held.every((s) => backAt(s) !== undefined), CLIENTS === 'fixover' ? 60_000 : 120_000).catch((e: unknown) => log(String(e)));
    const times = held.map(backAt).filter((x): x is number => x !== undefined).map((at) => at - t0);
    log(`paused owner: ${times.length}/${held.length} back elsewhere, p50 ${round1(percentile(times, 50))} ms, p99 ${round1(percentile(times, 99))} ms, max ${round1(Math.max(...times))} ms (target ${SESSION_LEASE_MS + 1000} ms)`);
    // Paused at least a lease and a half in all, then woken: it must find every session it held
    // lost, say so once, and write or send nothing more for them.
    await sleep(Math.max(0, SESSION_LEASE_MS * 1.5 - (performance.now() - t0)));
    const heldSet = new Set(held);
    const collateral = fleet.sessions.filter((s) => !heldSet.has(s)).flatMap((s) => s.pauses.filter((p) => p.end - p.ms > t0).map((p) => p.ms));
    const woke = victim.proc.output().length;
    victim.proc.child.kill('SIGCONT');
    const lostBy = (): Set<string> => new Set([...victim.proc.output().slice(woke).matchAll(/EXEC->(\S+) ownership lost/g)].map((m) => m[1]));
    await until('the woken node reports every session it held lost', () => held.every((s) => lostBy().has(s.name)), 10_000, 100).catch((e: unknown) => log(String(e)));
    const fenced = held.filter((s) => lostBy().has(s.name)).length;
    if (victim.proc.child.exitCode !== null) log(`paused owner: the woken node exited (${victim.proc.child.exitCode})`);
    // Let it run (and the rebalancer move sessions back to it) before the orders are counted.
    await sleep(QUICK ? 3000 : 10_000);
    const orders = await fleet.finish();
    const reports = await Promise.all(fleet.sessions.map((s) => s.run));
    const flaggedDuplicates = reports.reduce((a, r) => a + r.duplicates.flagged, 0);
    log(`paused owner: woken node reported ${fenced}/${held.length} of its sessions lost; other sessions interrupted ${collateral.length}; orders ${orders.sent} sent, ${orders.lost} lost, ${flaggedDuplicates} flagged and ${orders.unflaggedDuplicates} unflagged duplicates (output in ${cluster.dir})`);
    return {
      store,
      sessions: SESSIONS,
      victimHeld: held.length,
      targetMs: SESSION_LEASE_MS + 1000,
      back: { p50: round1(percentile(times, 50)), p99: round1(percentile(times, 99)), max: round1(Math.max(...times)), notBack: held.length - times.length },
      collateral: collateral.length,
      collateralMax: collateral.length ? round1(Math.max(...collateral)) : 0,
      fenced,
      orders: { sent: orders.sent, lost: orders.lost, flaggedDuplicates, unflaggedDuplicates: orders.unflaggedDuplicates },
    };
  } finally {
    victim.proc.child.kill('SIGCONT');
    cluster.killAll();
  }
}

// ---------------------------------------------------------------------------------------------

const load0 = loadavg()[0];
const stormRows = CASES.has('storm') ? await storm() : [];
const failovers: FailoverResult[] = [];
const rolls: RollingResult[] = [];
const pauses: PausedResult[] = [];
const skipped: string[] = [];
if (CASES.has('failover') || CASES.has('rolling') || CASES.has('paused')) {
  for (const store of STORES as StoreKind[]) {
    let pg: TestPostgres | undefined;
    if (store === 'postgresql') {
      const why = postgresClusterUnsupported() ?? postgresUnavailable();
      if (why) {
        skipped.push(`postgresql store skipped: ${why}`);
        log(skipped.at(-1)!);
        continue;
      }
      pg = await startPostgres();
    }
    try {
      if (CASES.has('failover')) failovers.push(await failoverAndReturn(store, pg));
      if (CASES.has('rolling')) rolls.push(await rolling(store, pg));
      if (CASES.has('paused')) pauses.push(await pausedOwner(store, pg));
    } finally {
      await pg?.destroy();
    }
  }
}

const load1 = loadavg()[0];
const med = (xs: number[]): string => (xs.length === 0 ? '—' : String(round1(percentile(xs, 50))));
const range = (xs: number[]): string => (xs.length <= 1 ? '' : ` (${Math.min(...xs)}–${Math.max(...xs)})`);
console.log(`\ncluster benchmark${QUICK ? ' (--quick)' : ''}: ${RUNS} storm run(s), ${SESSIONS} sessions in the cluster cases, ${RATE} orders/s in all, ${CLIENTS} clients, load average ${load0.toFixed(2)} -> ${load1.toFixed(2)}`);
if (stormRows.length > 0) {
  console.log('\nlogon storm: all sessions log on to one node at once (fresh connections, ResetOnLogon=Y, file store); ms from the first connect to the last Logon answered, median (range)');
  console.log('| sessions | fixover | QuickFIX C++ | target |');
  console.log('|---|---|---|---|');
  for (const r of stormRows) {
    const cell = (xs: number[], failures: string[]): string => (xs.length > 0 ? `${med(xs)}${range(xs)}` : '') + (failures.length > 0 ? `${xs.length > 0 ? '; ' : ''}failed ${failures.length}×: ${failures[0]}` : '');
    console.log(`| ${r.sessions} | ${cell(r.fixover, r.fixoverFailures)} | ${cell(r.quickfix, r.quickfixFailures) || 'not run'} | ${r.sessions === 300 ? '≤ 500 ms' : ''} |`);
  }
}
if (failovers.length > 0 || rolls.length > 0 || pauses.length > 0) {
  console.log(`\ncluster cases: 3 nodes, ${SESSIONS} sessions, default rebalance settings, ${CLIENTS} clients`);
  console.log('| store | case | measured | lost | target |');
  console.log('|---|---|---|---|---|');
  for (const f of failovers) {
    const lost = `${f.orders.lost} of ${f.orders.sent}${f.orders.unflaggedDuplicates ? `, ${f.orders.unflaggedDuplicates} unflagged dup.` : ''}`;
    console.log(`| ${f.store} | mass failover (kill -9 the node holding ${f.victimHeld}) | back elsewhere p50 ${f.failover.p50} ms, p99 ${f.failover.p99} ms, max ${f.failover.max} ms${f.failover.notBack ? `, ${f.failover.notBack} NOT back` : ''}; other sessions interrupted: ${f.failover.collateral}${f.failover.collateral ? ` (longest ${f.failover.collateralMax} ms)` : ''} | ${lost} (with the return) | p99 ≤ 2 s, max ≤ 3 s, 0 lost |`);
    const r = f.rebalance;
    console.log(`| ${f.store} | rebalance after return | even split (${r.split}) ${r.evenMs === undefined ? 'NOT reached' : `${r.evenMs} ms after the restart (${r.fromListeningMs} ms after it listened)`}; ${r.moved} moved, ${r.movedTwice} moved twice; pause p99 ${r.pauseP99} ms, max ${r.pauseMax} ms | ${lost} (with the failover) | even ±1 within 30 s, none moved twice, pause p99 ≤ 300 ms, 0 lost |`);
  }
  for (const r of rolls) {
    console.log(`| ${r.store} | rolling restart (drain, restart, share back; each node) | longest pause ${r.longestPauseMs} ms (p99 ${r.pauseP99} ms); whole roll ${r.totalMs} ms (drain / share back: ${r.steps.map((x) => `${x.node} ${x.drainMs}/${x.shareBackMs}`).join(', ')} ms) | ${r.orders.lost} of ${r.orders.sent}${r.orders.unflaggedDuplicates ? `, ${r.orders.unflaggedDuplicates} unflagged dup.` : ''} | 0 lost |`);
  }
  for (const p of pauses) {
    const b = p.back;
    console.log(`| ${p.store} | paused owner (SIGSTOP the node holding ${p.victimHeld}, SIGCONT after ${SESSION_LEASE_MS * 1.5} ms or more) | back elsewhere p50 ${b.p50} ms, p99 ${b.p99} ms, max ${b.max} ms${b.notBack ? `, ${b.notBack} NOT back` : ''}; other sessions interrupted: ${p.collateral}${p.collateral ? ` (longest ${p.collateralMax} ms)` : ''}; woken node fenced itself for ${p.fenced} of ${p.victimHeld} | ${p.orders.lost} of ${p.orders.sent}${p.orders.unflaggedDuplicates ? `, ${p.orders.unflaggedDuplicates} unflagged dup.` : ''}${p.orders.flaggedDuplicates ? ` (${p.orders.flaggedDuplicates} PossDup)` : ''} | every session back within the lease + 1 s (${p.targetMs} ms), fenced for all, 0 lost |`);
  }
}
for (const s of skipped) console.log(s);
console.log(JSON.stringify({ bench: 'cluster', quick: QUICK, runs: RUNS, sessions: SESSIONS, rate: RATE, clients: CLIENTS, loadavg1: [round1(load0), round1(load1)], storm: stormRows, failovers, rolls, pauses, skipped }));
