/**
 * Multicast discovery's transport (`ClusterDiscovery=multicast://group:port`): each announcement is
 * one UDP datagram to the group; every member of the group (this host's other processes included:
 * loopback of multicast is on) hears it. The socket shares the port (SO_REUSEADDR) so several
 * nodes on one host can listen. A socket error is a warning, never fatal.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { MAX_DATAGRAM } from './announcement.js';
import { ClusterDiscoveryError, type MemberLink, type MemberTransport } from './network-discovery.js';

/** Group, port, hops (`ttl`) and the local IPv4 address of the interface to use (default: the system's choice). */
export interface MulticastOptions {
  readonly group: string;
  readonly port: number;
  readonly ttl: number;
  readonly iface?: string | undefined;
}

/** Announcements as multicast datagrams (see the module comment). */
export class MulticastTransport implements MemberTransport {
  private socket: dgram.Socket | null = null;
  private link: MemberLink | null = null;

  constructor(private readonly o: MulticastOptions) {}

  private get where(): string {
    return `${this.o.group}:${this.o.port}`;
  }

  async start(link: MemberLink): Promise<void> {
    this.link = link;
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    const failed = once(socket, 'error').then(([e]) => Promise.reject(e as Error));
    try {
      socket.bind(this.o.port);
      await Promise.race([once(socket, 'listening'), failed]);
      socket.addMembership(this.o.group, this.o.iface);
      socket.setMulticastTTL(this.o.ttl);
      socket.setMulticastLoopback(true);
      if (this.o.iface) socket.setMulticastInterface(this.o.iface);
    } catch (e) {
      failed.catch(() => undefined);
      socket.close();
      const code = (e as NodeJS.ErrnoException).code;
      const hint = code === 'ENODEV' ? ' (no interface for multicast: is there a route for 224.0.0.0/4, or set ?interface=<address>)' : '';
      throw new ClusterDiscoveryError(`ClusterDiscovery: multicast discovery cannot use group ${this.where}: ${(e as Error).message}${hint}`, { cause: e });
    }
    failed.catch(() => undefined);
    socket.on('error', (e) => link.warn(`multicast ${this.where}: ${e.message}`));
    socket.on('message', (msg, rinfo) => link.receive(msg, `${rinfo.address}:${rinfo.port}`));
    this.socket = socket;
  }

  announce(): void {
    this.send('announce');
  }

  private send(kind: 'announce' | 'leave'): Promise<void> {
    const socket = this.socket;
    const link = this.link;
    if (!socket || !link) return Promise.resolve();
    const bytes = link.message(kind);
    if (bytes.length > MAX_DATAGRAM) {
      link.warn(`multicast ${this.where}: this node's announcement is ${bytes.length} bytes, more than a datagram holds (${MAX_DATAGRAM}); it is not sent (too many sessions for multicast discovery: use static or store discovery)`);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const sent = (e: Error | null): void => {
        if (e) link.warn(`multicast ${this.where}: cannot send: ${e.message}`);
        resolve();
      };
      try {
        socket.send(bytes, this.o.port, this.o.group, sent);
      } catch (e) {
        sent(e as Error);
      }
    });
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    await this.send('leave');
    this.socket = null;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
