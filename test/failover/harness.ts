/**
 * Real processes for failover tests: `fixover executor` acceptors sharing one store directory (the
 * seed configuration of the session-engine issue as the template), and `fixover client` listing
 * both addresses. Everything runs on 127.0.0.1 and is killed at the end. Checks read the client's
 * report, the client's message log and the store files the nodes shared.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { once } from 'node:events';
import { start } from '../cli/cli.js';
import { FileStore } from '../../src/store/index.js';
import { Parser, CodecError } from '../../src/codec/index.js';
import type { ClientReport } from '../../src/client/index.js';
import type { OwnerRecord } from '../../src/fencing/index.js';
import { freePort } from '../support/free-port.js';
export { freePort };

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` (which may be async) until it returns a value other than undefined/false, or fails after `ms`. */
export async function waitUntil<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

export interface Node {
  name: string;
  port: number;
  proc: ReturnType<typeof start>;
}

export interface NodeOptions {
  /** SessionLeaseTimeout in seconds (default 5, the product's: shorter ones lapse when a loaded CI machine stalls a node). */
  leaseSeconds?: number;
  /** TargetCompIDs of the sessions (default BANZAI). */
  clients?: string[];
  /** More settings for the [default] section (lines). */
  settings?: string;
  /** A command the executor runs under (see `start`). */
  wrapper?: string[];
}

export interface ClientOptions {
  /** SenderCompID (default BANZAI). */
  name?: string;
  /** Store folder name (default client-store). */
  store?: string;
  /** LogonTimeout in seconds (default 5; shorter gives a paused acceptor up sooner). */
  logonTimeout?: number;
}

export class Cluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'fixover-failover-'));
  readonly nodes: Node[] = [];
  readonly clients: Array<ReturnType<typeof start>> = [];
  readonly storeDir = join(this.dir, 'shared-store');

  /** Writes the seed configuration for a node on the shared store. */
  executorConfig(name: string, port: number, o: NodeOptions = {}): string {
    const file = join(this.dir, `${name}.cfg`);
    const sessions = (o.clients ?? ['BANZAI']).map((c) => `[session]\nSenderCompID=EXEC\nTargetCompID=${c}\n`).join('\n');
    writeFileSync(
      file,
      `[default]\nFileStorePath=${this.storeDir}\nDataDictionary=etc/FIX42.xml\nBeginString=FIX.4.2\nConnectionType=acceptor\nStartTime=00:00:00\nEndTime=00:00:00\nHeartBtInt=30\nSocketAcceptPort=${port}\nRefreshMessageStoreAtLogon=Y\nNodeName=${name}\nSessionLeaseTimeout=${o.leaseSeconds ?? 5}\n${o.settings ?? ''}\n${sessions}`,
    );
    return file;
  }

  /** Starts (or restarts) an executor process and waits until it listens. */
  async startNode(name: string, port: number, o: NodeOptions = {}): Promise<Node> {
    const proc = start(['executor', this.executorConfig(name, port, o)], this.dir, o.wrapper);
    await proc.waitFor(/listening on \d+/, 30_000);
    const node = { name, port, proc };
    this.nodes.push(node);
    return node;
  }

  /** The client settings: every address, QuickFIX style (SocketConnectHost1/Port1, …). */
  clientConfig(ports: number[], o: ClientOptions = {}): string {
    const name = o.name ?? 'BANZAI';
    const file = join(this.dir, `${name}-${o.store ?? 'client-store'}.cfg`);
    const alternates = ports.slice(1).map((p, i) => `SocketConnectHost${i + 1}=127.0.0.1\nSocketConnectPort${i + 1}=${p}\n`).join('');
    writeFileSync(
      file,
      `[DEFAULT]\nConnectionType=initiator\nBeginString=FIX.4.2\nHeartBtInt=2\nReconnectInterval=1\nLogonTimeout=${o.logonTimeout ?? 5}\nFileStorePath=${join(this.dir, o.store ?? 'client-store')}\nFileLogPath=${join(this.dir, 'client-log')}\nNodeName=client-${name}\nStartTime=00:00:00\nEndTime=00:00:00\n[SESSION]\nSenderCompID=${name}\nTargetCompID=EXEC\nSocketConnectHost=127.0.0.1\nSocketConnectPort=${ports[0]}\n${alternates}`,
    );
    return file;
  }

  /** Starts `fixover client`; its JSON report goes to `<dir>/<report>`. */
  startClient(ports: number[], args: string[], o: ClientOptions & { report?: string } = {}): { proc: ReturnType<typeof start>; report: string } {
    const report = join(this.dir, o.report ?? `${o.name ?? 'BANZAI'}-report.json`);
    const proc = start(['client', this.clientConfig(ports, o), '--report', report, ...args], this.dir);
    this.clients.push(proc);
    return { proc, report };
  }

  readReport(file: string): ClientReport {
    return JSON.parse(readFileSync(file, 'utf8')) as ClientReport;
  }

  /** The owner record of an executor session in the shared store. */
  owner(client = 'BANZAI'): OwnerRecord | undefined {
    const file = join(this.storeDir, `FIX.4.2-EXEC-${client}.owner`);
    if (!existsSync(file)) return undefined;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as OwnerRecord;
    } catch {
      return undefined;
    }
  }

  /** Who holds the executor session now, whatever the store (undefined: never owned). */
  async sessionOwner(client = 'BANZAI'): Promise<{ node: string; epoch: number; held: boolean } | undefined> {
    const o = this.owner(client);
    return o && { node: o.node, epoch: o.epoch, held: o.pid !== 0 };
  }

  /** The executor session's store, checked whole (see checkStore), once every node has stopped. */
  execStore(client = 'BANZAI'): Promise<StoreCheck> {
    return checkStore(this.storeDir, `FIX.4.2-EXEC-${client}`);
  }

  /** No gap left either way: the client got everything the nodes sent, and they everything it sent. */
  async assertClientGotAll(exec: StoreCheck, cli: StoreCheck): Promise<void> {
    assert.equal(exec.nextSender, cli.nextTarget, 'no gap left: the client got everything the nodes sent');
    assert.equal(exec.nextTarget, cli.nextSender, 'the nodes got everything the client sent');
  }

  /** A failure with the nodes' own account (ownership acquired/lost/refused explains most). */
  failure(e: unknown): Error {
    const outputs = this.nodes.map((n) => `--- node ${n.name}\n${n.proc.output().slice(-3000)}`).join('\n');
    return new Error(`${e instanceof Error ? e.message : String(e)}\n${outputs}\n(files in ${this.dir})`, { cause: e });
  }

  /** Kills every process and leaves their output in the cluster folder (for a failed test). */
  killAll(): void {
    for (const n of this.nodes) if (n.proc.child.exitCode === null) n.proc.child.kill('SIGKILL'); // paused (SIGSTOP) ones too
    for (const c of this.clients) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    this.nodes.forEach((n, i) => writeFileSync(join(this.dir, `node-${i}-${n.name}.out`), n.proc.output()));
    this.clients.forEach((c, i) => writeFileSync(join(this.dir, `client-${i}.out`), c.output()));
  }
}

export interface StoreCheck {
  nextSender: number;
  nextTarget: number;
  /** Fills stored, by ClOrdID. */
  fills: Map<string, number>;
  messages: number;
}

/**
 * Opens a store the processes left (all of them stopped) and checks it whole: nothing torn or
 * corrupt to drop, every stored message well-formed with the MsgSeqNum it is filed under, in order.
 */
export async function checkStore(dir: string, prefix: string): Promise<StoreCheck> {
  const store = await FileStore.open({ path: dir, prefix });
  try {
    const r = store.recovery;
    if (r.droppedRecords || r.droppedHeaderBytes || r.seqNumsRecovered || r.creationTimeRecovered) throw new Error(`store ${prefix} needed repair: ${JSON.stringify(r)}`);
    const nextSender = store.getNextSenderSeq();
    const msgs = await store.getRange(1, nextSender - 1);
    return { nextSender, nextTarget: store.getNextTargetSeq(), fills: storedFills(msgs), messages: msgs.length };
  } finally {
    await store.close();
  }
}

/**
 * Checks stored messages (in the order read): each well-formed, filed under its own MsgSeqNum, in
 * increasing order. Returns the fills among them, by ClOrdID.
 */
export function storedFills(msgs: ReadonlyArray<{ seq: number; bytes: Buffer }>): Map<string, number> {
  const parser = new Parser();
  const fills = new Map<string, number>();
  let last = 0;
  for (const m of msgs) {
    const v = parser.tryParse(m.bytes);
    if (v instanceof CodecError) throw new Error(`stored message ${m.seq} unreadable: ${v.message}`);
    if (v.getInt(34) !== m.seq) throw new Error(`stored message filed as ${m.seq} has MsgSeqNum ${v.get(34)}`);
    if (m.seq <= last) throw new Error(`stored messages out of order at ${m.seq}`);
    last = m.seq;
    if (v.msgType === '8' && v.get(39) === '2') fills.set(v.get(11)!, (fills.get(v.get(11)!) ?? 0) + 1);
  }
  return fills;
}

export interface Incoming {
  seq: number;
  msgType: string;
  possDup: boolean;
  line: number;
}

/** Messages the client received (49=EXEC), in order, from its message log. */
export function incomingMessages(dir: string, client = 'BANZAI'): Incoming[] {
  const text = readFileSync(join(dir, 'client-log', `FIX.4.2-${client}-EXEC.messages.current.log`), 'latin1');
  const out: Incoming[] = [];
  text.split('\n').forEach((line, i) => {
    const msg = line.slice(line.indexOf(' : ') + 3);
    if (!msg.includes('\x0149=EXEC\x01')) return;
    const field = (tag: number): string | undefined => new RegExp(`\x01${tag}=([^\x01]*)\x01`).exec(msg)?.[1];
    out.push({ seq: Number(field(34)), msgType: field(35) ?? '', possDup: field(43) === 'Y', line: i });
  });
  return out;
}

/**
 * The executor's side seen by the client never went back: messages that are not possible
 * duplicates come with increasing sequence numbers, and every Logon after the first one continues
 * above what came before (no reset, a standby continues the dead node's numbers).
 */
export function assertSequenceContinues(incoming: Incoming[]): { logons: number } {
  let max = 0;
  let logons = 0;
  for (const m of incoming) {
    if (m.possDup) continue;
    if (m.seq <= max) throw new Error(`MsgSeqNum went back: ${m.seq} (type ${m.msgType}) after ${max}`);
    if (m.msgType === 'A') logons++;
    max = m.seq;
  }
  return { logons };
}

/** A TCP relay in front of a node that records what came from it (by connection, with the time), and keeps the node's side open when the client goes. */
export class Relay {
  readonly fromNode: Array<{ at: number; conn: number; bytes: Buffer }> = [];
  private readonly server: net.Server;
  private readonly upstreams: net.Socket[] = [];
  port = 0;

  constructor(private readonly target: number) {
    this.server = net.createServer((client) => {
      const conn = this.upstreams.length;
      const up = net.connect(this.target, '127.0.0.1');
      this.upstreams.push(up);
      up.on('data', (d: Buffer) => {
        this.fromNode.push({ at: Date.now(), conn, bytes: Buffer.from(d) });
        if (!client.destroyed) client.write(d);
      });
      client.on('data', (d: Buffer) => up.write(d));
      up.on('error', () => client.destroy());
      up.on('close', () => client.destroy());
      client.on('error', () => undefined);
      // The client going away is not passed on: whatever the node writes later is still seen here.
    });
  }

  async start(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Connections made so far. */
  get connections(): number {
    return this.upstreams.length;
  }

  /** What the node sent from time `t` on, on connection `conn` (all connections when omitted). */
  bytesSince(t: number, conn?: number): Buffer {
    return Buffer.concat(this.fromNode.filter((x) => x.at >= t && (conn === undefined || x.conn === conn)).map((x) => x.bytes));
  }

  close(): void {
    for (const u of this.upstreams) u.destroy();
    this.server.close();
  }
}

/**
 * What a node woken up after losing the session sent through `relay` since `woke`: not a byte on
 * the session's connection (the first), and on later connections (Logons the client sent it while
 * it was stopped) only a Logout naming the new owner `owner`.
 */
export function assertSilentSince(relay: Relay, woke: number, owner: string): void {
  assert.equal(relay.bytesSince(woke, 0).length, 0, 'not a byte from the woken node on the session connection');
  for (let conn = 1; conn < relay.connections; conn++) {
    const sent = relay.bytesSince(woke, conn).toString('latin1').replaceAll('\x01', '|');
    if (sent === '') continue;
    for (const m of sent.split(/(?=8=FIX)/)) assert.match(m, new RegExp(`\\|35=5\\|.*\\|58=[^|]*node ${owner}`), `only a refusal naming the owner on connection ${conn}: ${m}`);
  }
}

/** Stops a client that was sending without an order count (SIGTERM) and checks its report: every order it sent filled, none twice unflagged, logged on at least `logons` times. */
export async function stopClientAndCheck(cluster: Cluster, client: { proc: ReturnType<typeof start>; report: string }, logons = 2): Promise<ClientReport> {
  client.proc.child.kill('SIGTERM');
  const [code] = await once(client.proc.child, 'exit');
  const report = cluster.readReport(client.report);
  assert.equal(code, 0, client.proc.output().slice(-2000));
  assert.ok(report.sent > 0);
  assert.equal(report.filled, report.sent, 'every order filled');
  assert.equal(report.missing, 0);
  assert.equal(report.duplicates.unflagged, 0, 'no unflagged duplicate');
  assert.ok(report.logons.length >= logons, `logged on ${report.logons.length} times`);
  assertSequenceContinues(incomingMessages(cluster.dir));
  return report;
}

/** Every order the client sent has its fill in the store, once. */
/** Waits for clients started with `--orders n` to end: each exits 0 with every order filled, none duplicated unflagged. */
export async function clientsFilled(runs: Array<{ proc: ReturnType<typeof start>; report: string }>, cluster: Cluster, orders: number): Promise<void> {
  const codes = await Promise.all(runs.map((c) => once(c.proc.child, 'exit')));
  assert.deepEqual(
    codes.map(([c]) => c as number),
    runs.map(() => 0),
    runs.map((c) => c.proc.output().slice(-1000)).join(''),
  );
  for (const c of runs) {
    const r = cluster.readReport(c.report);
    assert.equal(r.filled, orders);
    assert.equal(r.duplicates.unflagged, 0);
  }
}

export function assertFilledOnce(exec: StoreCheck, orders: number): void {
  assert.equal(exec.fills.size, orders, 'every fill stored');
  assert.deepEqual([...exec.fills.values()].filter((n) => n > 1), [], 'no order filled twice');
}

/**
 * `cycles` failovers back and forth in one run, on whatever store the cluster's nodes share: kill -9
 * the active executor, the client moves to the standby, the dead node is restarted and becomes the
 * standby, and so on. The session survives every cycle with nothing lost, nothing duplicated
 * unflagged and its numbers never going back; the store is whole at the end.
 */
export async function failoverCycles(cluster: Cluster, cycles: number): Promise<void> {
  const ports = { A: await freePort(), B: await freePort() };
  const nodes: Record<'A' | 'B', Node> = { A: await cluster.startNode('A', ports.A), B: await cluster.startNode('B', ports.B) };
  // More orders than the cycles need at a steady rate; the client is stopped (SIGTERM: it stops
  // sending, settles and reports) after the last cycle.
  const client = cluster.startClient([ports.A, ports.B], ['--orders', '1000000', '--rate', '500', '--settle', '20000']);
  let active: 'A' | 'B' = 'A';
  let epoch = (await waitUntil('the client on A', async () => {
    const o = await cluster.sessionOwner();
    return o?.node === 'A' && o.held && o;
  })).epoch;
  for (let cycle = 1; cycle <= cycles; cycle++) {
    assert.equal(client.proc.child.exitCode, null, `the client is still running at cycle ${cycle}`);
    await sleep(300);
    const killed = active;
    nodes[killed].proc.child.kill('SIGKILL');
    await once(nodes[killed].proc.child, 'exit');
    // The dead node restarts at once; the session moves to whichever node the client reaches
    // first (normally the standby: the restart takes longer than the client's reconnect).
    const restarting = cluster.startNode(killed, ports[killed]);
    const took = await waitUntil(`cycle ${cycle}: the session is taken over`, async () => {
      const o = await cluster.sessionOwner();
      return o && o.epoch > epoch && o.held && o;
    });
    epoch = took.epoch;
    active = took.node as 'A' | 'B';
    nodes[killed] = await restarting;
  }
  await sleep(500);
  const report = await stopClientAndCheck(cluster, client, cycles + 1);
  assert.ok(report.sent > 1000, `orders flowed through the cycles (${report.sent})`);
  assert.ok(epoch >= cycles + 1);
  const { logons } = assertSequenceContinues(incomingMessages(cluster.dir));
  assert.ok(logons >= cycles + 1);
  cluster.killAll();
  await Promise.all(cluster.nodes.filter((n) => n.proc.child.exitCode === null && n.proc.child.signalCode === null).map((n) => once(n.proc.child, 'exit')));
  const exec = await cluster.execStore();
  const cli = await checkStore(join(cluster.dir, 'client-store'), 'FIX.4.2-BANZAI-EXEC');
  await cluster.assertClientGotAll(exec, cli);
  assertFilledOnce(exec, report.sent);
}
