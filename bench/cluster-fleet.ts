/**
 * Clients for the cluster benchmark, all in this process: many initiator sessions under one
 * {@link Initiator}, each sending limit orders at a steady rate through an {@link OrderClient}
 * (the client of `fixover client`), with every logon and disconnect timed per session. Two kinds:
 *
 * - `fixover`: the failover transport (`failover:(…)?randomize=true`), announcing cluster support
 *   (pushed topology, ReconnectTo on a move);
 * - `quickfix-style`: what a QuickFIX deployment configures — alternate addresses tried in turn
 *   (SocketConnectHost/Port, …1, …2) with a fixed ReconnectInterval, no cluster support (a move is
 *   a Logout naming the target, and the old node refuses the client until its rotation reaches it).
 *
 * Also a raw logon storm: fresh connections from 20 loopback addresses, each sending one Logon
 * (ResetSeqNumFlag=Y), timed until the last Logon is answered; the same for any acceptor (fixover
 * or QuickFIX C++).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Initiator, Session, type InitiatorSession } from '../src/engine/index.js';
import { SessionID } from '../src/session/index.js';
import { MemoryStore } from '../src/store/index.js';
import { OrderClient, type ClientReport } from '../src/client/index.js';

export type ClientKind = 'fixover' | 'quickfix-style';

export interface FleetSession {
  name: string;
  session: Session;
  client: OrderClient;
  run: Promise<ClientReport>;
  /** Port of the node it is logged on at now (undefined while not logged on). */
  port: number | undefined;
  /** Every logon: when (performance clock) and at which port. */
  logons: Array<{ at: number; port: number }>;
  /** When the current outage began (disconnect), or undefined while logged on. */
  downSince: number | undefined;
  /** Each outage, disconnect to the next logon (ms), with when it ended. */
  pauses: Array<{ ms: number; end: number }>;
}

export interface FleetOptions {
  /** SenderCompIDs; the nodes' sessions are EXEC -> each. */
  names: readonly string[];
  /** The nodes' ports; session i lists them starting at `ports[i % ports.length]`. */
  ports: readonly number[];
  kind: ClientKind;
  /** Orders per second per session. */
  rate: number;
  /** quickfix-style: ReconnectInterval (seconds). */
  reconnectInterval?: number;
}

/** Many client sessions against a cluster, with what happened to each. */
export class Fleet {
  readonly sessions: FleetSession[];
  private readonly initiator: Initiator;

  constructor(readonly o: FleetOptions) {
    const configs: InitiatorSession[] = [];
    this.sessions = o.names.map((name, i) => {
      // Each session lists every node, starting at a different one (even spread), the others in
      // an order that alternates (so a dead node's sessions do not all go to the same survivor).
      const rot = o.ports.map((_, k) => o.ports[(i + k) % o.ports.length]);
      const order = Math.floor(i / o.ports.length) % 2 === 0 ? rot : [rot[0], ...rot.slice(1).reverse()];
      const fs = { name, port: undefined, logons: [], downSince: undefined, pauses: [] } as unknown as FleetSession;
      const sessionId = new SessionID({ beginString: 'FIX.4.2', senderCompID: name, targetCompID: 'EXEC' });
      const box: { client?: OrderClient } = {};
      const session = new Session(
        { sessionId, role: 'initiator', heartBtInt: 30, clusterClient: o.kind === 'fixover' },
        new MemoryStore(),
        {
          onLogon: (id) => box.client!.application().onLogon!(id),
          onLogout: (id) => box.client!.application().onLogout!(id),
          fromApp: (m, id) => box.client!.application().fromApp!(m, id),
          fromAdmin: (m, id) => box.client!.application().fromAdmin!(m, id),
        },
        { tickMs: 100 },
      );
      box.client = new OrderClient(session, { orders: 1e9, rate: o.rate, settleMs: 15_000, prefix: `${name}-` });
      fs.session = session;
      fs.client = box.client;
      configs.push(
        o.kind === 'fixover'
          ? { session, failover: `failover:(${order.map((p) => `tcp://127.0.0.1:${p}`).join(',')})?initialReconnectDelay=100&maxReconnectDelay=1000&randomize=true` }
          : { session, endpoints: order.map((port) => ({ host: '127.0.0.1', port })), reconnectDelays: [o.reconnectInterval ?? 1] },
      );
      return fs;
    });
    this.initiator = new Initiator(configs);
    const byId = new Map(this.sessions.map((s) => [s.session.id.toString(), s]));
    this.initiator.on('event', (e) => {
      const s = byId.get(e.session.toString());
      if (!s) return;
      const now = performance.now();
      if (e.type === 'loggedOn') {
        const port = Number(/:(\d+)$/.exec(e.endpoint.uri)?.[1] ?? 0);
        s.logons.push({ at: now, port });
        s.port = port;
        if (s.downSince !== undefined) s.pauses.push({ ms: now - s.downSince, end: now });
        s.downSince = undefined;
      } else if (e.type === 'disconnected') {
        s.port = undefined;
        s.downSince ??= now;
      }
    });
  }

  start(): void {
    this.initiator.start();
    for (const s of this.sessions) s.run = s.client.run();
  }

  /** Sessions logged on, by node port. */
  placement(): Map<number, number> {
    const m = new Map<number, number>(this.o.ports.map((p) => [p, 0]));
    for (const s of this.sessions) if (s.port !== undefined) m.set(s.port, (m.get(s.port) ?? 0) + 1);
    return m;
  }

  allLoggedOn(): boolean {
    return this.sessions.every((s) => s.port !== undefined);
  }

  /** Stops sending, waits for the fills of every order sent, and stops the sessions. */
  async finish(): Promise<{ sent: number; filled: number; lost: number; unflaggedDuplicates: number }> {
    for (const s of this.sessions) s.client.stop();
    const reports = await Promise.all(this.sessions.map((s) => s.run));
    await this.initiator.stop();
    const sum = (f: (r: ClientReport) => number): number => reports.reduce((a, r) => a + f(r), 0);
    return { sent: sum((r) => r.sent), filled: sum((r) => r.filled), lost: sum((r) => r.missing), unflaggedDuplicates: sum((r) => r.duplicates.unflagged) };
  }
}

// ---------------------------------------------------------------------------------------------
// Logon storm

const SOH = '\x01';

function fixMessage(beginString: string, body: string): Buffer {
  const head = `8=${beginString}${SOH}9=${Buffer.byteLength(body, 'latin1')}${SOH}`;
  let sum = 0;
  for (const b of Buffer.from(head + body, 'latin1')) sum += b;
  return Buffer.from(`${head}${body}10=${String(sum % 256).padStart(3, '0')}${SOH}`, 'latin1');
}

function stamp(): string {
  const d = new Date().toISOString();
  return `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}-${d.slice(11, 23)}`;
}

export interface StormResult {
  sessions: number;
  loggedOn: number;
  /** From the first connect to the last Logon answered (ms); undefined when some never were. */
  ms: number | undefined;
  /** Why not every session logged on (the acceptor closed connections, exited, …). */
  failure?: string;
}

/**
 * `names.length` fresh connections at once to 127.0.0.1:`port`, each sending a Logon from
 * `name` to `target` with ResetSeqNumFlag=Y; resolves when every Logon was answered, or with the
 * count that were when `timeoutMs` passes or every connection ended.
 */
export function logonStorm(port: number, names: readonly string[], target: string, beginString = 'FIX.4.4', timeoutMs = 30_000): Promise<StormResult> {
  return new Promise((resolve) => {
    const sockets: net.Socket[] = [];
    let loggedOn = 0;
    let ended = 0;
    let done = false;
    let lastError = '';
    const t0 = performance.now();
    const finish = (failure?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const ms = loggedOn === names.length ? performance.now() - t0 : undefined;
      for (const s of sockets) s.destroy();
      resolve({ sessions: names.length, loggedOn, ms, ...(failure ? { failure } : {}) });
    };
    const timer = setTimeout(() => finish(`only ${loggedOn} of ${names.length} logged on within ${timeoutMs} ms${lastError ? ` (${lastError})` : ''}`), timeoutMs);
    for (const [i, name] of names.entries()) {
      // From 127.0.0.10–127.0.0.29 (all loopback): many counterparties, not one address opening
      // hundreds of connections (an acceptor sheds those past MaxPendingLogonsPerAddress, 100).
      const s = net.connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${10 + (i % 20)}` });
      sockets.push(s);
      s.setNoDelay(true);
      let got = '';
      let answered = false;
      s.on('connect', () => s.write(fixMessage(beginString, `35=A${SOH}34=1${SOH}49=${name}${SOH}52=${stamp()}${SOH}56=${target}${SOH}98=0${SOH}108=30${SOH}141=Y${SOH}`)));
      s.on('data', (d: Buffer) => {
        if (answered) return;
        got += d.toString('latin1');
        if (!got.includes(`${SOH}35=A${SOH}`)) return;
        answered = true;
        if (++loggedOn === names.length) finish();
      });
      s.on('error', (e) => (lastError = e.message));
      s.on('close', () => {
        if (!answered && ++ended + loggedOn === names.length) finish(`${ended} connection(s) closed before their Logon was answered${lastError ? ` (${lastError})` : ''}`);
      });
    }
  });
}
