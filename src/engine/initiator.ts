/**
 * The initiator: connects each session to its counterparty, logs on, and reconnects after a drop
 * following `ReconnectInterval` (a single number or QuickFIX/J's list form `3x5;10x30;60`).
 * With several addresses (`SocketConnectHost<n>`) a failed connect or logon moves to the next.
 */
import { applySocketOptions, type SocketOptions } from '../transport/socket-options.js';
import net from 'node:net';
import type { Session } from './session.js';

export interface Endpoint {
  host: string;
  port: number;
}

export interface InitiatorSession extends SocketOptions {
  session: Session;
  endpoints: readonly Endpoint[];
  /** Delays in seconds between attempts; the last one repeats. */
  reconnectDelays?: readonly number[];
  /** `SocketConnectTimeout` in seconds (default 60). */
  connectTimeout?: number;
  localAddress?: string;
  localPort?: number;
  /** Refresh the store before each Logon (RefreshOnLogon). */
  refreshOnLogon?: boolean;
}

interface Runner {
  config: InitiatorSession;
  attempt: number;
  endpoint: number;
  timer: NodeJS.Timeout | null;
  socket: net.Socket | null;
  loggedOn: boolean;
}

export class Initiator {
  private readonly runners: Runner[];
  private stopped = true;

  constructor(sessions: readonly InitiatorSession[]) {
    this.runners = sessions.map((config) => ({ config, attempt: 0, endpoint: 0, timer: null, socket: null, loggedOn: false }));
    for (const r of this.runners) {
      r.config.session.on('logon', () => {
        r.loggedOn = true;
        r.attempt = 0;
      });
      r.config.session.on('disconnected', () => this.onDrop(r));
    }
  }

  get sessions(): Session[] {
    return this.runners.map((r) => r.config.session);
  }

  start(): void {
    this.stopped = false;
    for (const r of this.runners) this.connect(r);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const r of this.runners) {
      if (r.timer) clearTimeout(r.timer);
      r.timer = null;
      if (r.config.session.isLoggedOn) r.config.session.logout();
    }
    await new Promise((res) => setTimeout(res, this.runners.some((r) => r.socket) ? 200 : 0));
    for (const r of this.runners) {
      r.socket?.destroy();
      await r.config.session.close();
    }
  }

  private connect(r: Runner): void {
    if (this.stopped) return;
    const ep = r.config.endpoints[r.endpoint % r.config.endpoints.length];
    const socket = net.connect({ host: ep.host, port: ep.port, localAddress: r.config.localAddress, localPort: r.config.localPort });
    r.socket = socket;
    r.loggedOn = false;
    const timeout = setTimeout(() => socket.destroy(new Error('connect timeout')), (r.config.connectTimeout ?? 60) * 1000);
    timeout.unref();
    socket.once('connect', () => {
      clearTimeout(timeout);
      applySocketOptions(socket, r.config);
      const go = (): void => r.config.session.attach(socket);
      if (r.config.refreshOnLogon) r.config.session.refresh().then(go, () => socket.destroy());
      else go();
    });
    socket.once('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timeout);
      if (r.socket === socket && !r.config.session.hasSocket) this.onDrop(r);
    });
  }

  private onDrop(r: Runner): void {
    if (r.timer || this.stopped) return;
    r.socket = null;
    if (!r.loggedOn) r.endpoint++;
    const delays = r.config.reconnectDelays ?? [30];
    const delay = delays[Math.min(r.attempt, delays.length - 1)];
    r.attempt++;
    r.timer = setTimeout(() => {
      r.timer = null;
      this.connect(r);
    }, delay * 1000);
  }
}
