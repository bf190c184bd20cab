/**
 * Static discovery's transport (`ClusterDiscovery=static:(tcp://a:9877,…)`, `ClusterProbeListen`):
 * a probe is one TCP connection to a peer's probe address carrying this node's message (`probe`,
 * one JSON line); the peer answers with its own (`answer`, one line) and closes. Both learn of each
 * other, so a peer missing from one node's list is still found when it probes. On stop a `leave`
 * goes to every peer. A connection that sends anything else, too much (over 1 MiB) or nothing
 * within the probe timeout is closed without an answer and counted; an unreachable peer is
 * simply not heard from (its lease lapses).
 */
import net from 'node:net';
import { once } from 'node:events';
import { MAX_MESSAGE } from './announcement.js';
import type { HostPort } from './discovery-uri.js';
import { ClusterDiscoveryError, type MemberLink, type MemberTransport } from './network-discovery.js';

/** The peers to probe, where to answer probes, and how long one exchange may take. */
export interface ProbeOptions {
  readonly peers: readonly HostPort[];
  readonly listen: HostPort;
  readonly timeoutMs: number;
}

const addr = (p: HostPort): string => (p.host.includes(':') ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`);

/**
 * Reads one line (up to `MAX_MESSAGE` bytes) from a socket: the bytes before the newline, or
 * before the end when none came; null when the socket failed, timed out or sent too much.
 */
function readLine(socket: net.Socket, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: Buffer | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      resolve(r);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on('data', (d: Buffer) => {
      const nl = d.indexOf(0x0a);
      const part = nl < 0 ? d : d.subarray(0, nl);
      chunks.push(part);
      size += part.length;
      if (size > MAX_MESSAGE) finish(null);
      else if (nl >= 0) finish(Buffer.concat(chunks));
    });
    socket.on('end', () => finish(size > 0 ? Buffer.concat(chunks) : null));
    socket.on('error', () => finish(null));
    socket.on('close', () => finish(size > 0 ? Buffer.concat(chunks) : null));
  });
}

/** Probes over TCP (see the module comment). */
export class ProbeTransport implements MemberTransport {
  private server: net.Server | null = null;
  private link: MemberLink | null = null;
  private readonly inFlight = new Set<string>();
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly o: ProbeOptions) {}

  async start(link: MemberLink): Promise<void> {
    this.link = link;
    const server = net.createServer((socket) => void this.answer(socket, link));
    // Each peer probes once per renewal: connections beyond this many at once are closed at once (a flood cannot pile them up).
    server.maxConnections = Math.max(64, 4 * this.o.peers.length);
    try {
      server.listen(this.o.listen.port, this.o.listen.host);
      await once(server, 'listening');
    } catch (e) {
      throw new ClusterDiscoveryError(`ClusterProbeListen: static discovery cannot listen for probes on ${addr(this.o.listen)}: ${(e as Error).message}`, { cause: e });
    }
    server.on('error', (e) => link.warn(`probe listener ${addr(this.o.listen)}: ${e.message}`));
    this.server = server;
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
  }

  /** A peer's probe (or leave): answer a probe with this node's message; anything else is closed. */
  private async answer(socket: net.Socket, link: MemberLink): Promise<void> {
    this.track(socket);
    const from = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const line = await readLine(socket, this.o.timeoutMs);
    const a = line ? link.receive(line, from) : undefined;
    if (line === null) link.bad(from, `no complete message within ${this.o.timeoutMs} ms, or more than ${MAX_MESSAGE} bytes`);
    if (a?.kind === 'probe' && this.server) socket.end(Buffer.concat([link.message('answer'), Buffer.from('\n')]));
    else socket.destroy();
  }

  announce(): void {
    for (const p of this.o.peers) void this.exchange(p, 'probe');
  }

  /** One exchange with a peer: send this node's message; for a probe, take in the answer. */
  private async exchange(peer: HostPort, kind: 'probe' | 'leave'): Promise<void> {
    const link = this.link;
    const key = addr(peer);
    if (!link || (kind === 'probe' && this.inFlight.has(key))) return;
    this.inFlight.add(key);
    const socket = net.connect({ host: peer.host, port: peer.port });
    this.track(socket);
    socket.setTimeout(this.o.timeoutMs, () => socket.destroy());
    try {
      await Promise.race([once(socket, 'connect'), once(socket, 'close').then(() => Promise.reject(new Error('closed')))]);
      socket.write(Buffer.concat([link.message(kind), Buffer.from('\n')]));
      if (kind === 'leave') {
        socket.end();
        return;
      }
      const line = await readLine(socket, this.o.timeoutMs);
      // A peer that closes without answering (another cluster, or not yet serving) is not heard from.
      if (line) link.receive(line, key);
    } catch {
      // Unreachable now: not heard from, its lease lapses.
    } finally {
      this.inFlight.delete(key);
      socket.destroy();
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.close();
    await Promise.race([Promise.all(this.o.peers.map((p) => this.exchange(p, 'leave'))), new Promise((r) => setTimeout(r, Math.min(500, this.o.timeoutMs)).unref())]);
    for (const s of this.sockets) s.destroy();
  }
}
