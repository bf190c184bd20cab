/**
 * A live acceptor under fuzzing, in this process: two executor sessions (FUZZ and GOOD) on file
 * stores in a temporary folder, real sockets on a free loopback port. The FUZZ counterparty sends
 * the generated steps; GOOD must keep answering orders. Any error that escapes to the process
 * ('uncaughtException', 'unhandledRejection') is recorded, as is every fault the boundary caught.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Acceptor, Session } from '../../src/engine/index.js';
import { FileStore } from '../../src/store/index.js';
import { Message } from '../../src/codec/index.js';
import { executorApplication } from '../../src/apps/index.js';
import type { SessionID } from '../../src/session/index.js';
import { FixPeer, newOrder } from '../support/fix-peer.js';
import { FuzzPeer, type FuzzStep } from './generators.js';
import { knownCause, options } from './core-rig.js';

/** A fault the boundary caught (session or acceptor). */
export interface LiveFault {
  readonly text: string;
  readonly known?: string;
}

export class LiveRig {
  readonly escaped: string[] = [];
  readonly faults: LiveFault[] = [];
  /** Messages the FUZZ counterparty sent. */
  messages = 0;
  private constructor(
    private readonly dir: string,
    private readonly acceptor: Acceptor,
    readonly port: number,
    readonly fuzz: Session,
    readonly good: Session,
    private readonly goodPeer: FixPeer,
    private readonly onUncaught: (e: unknown) => void,
  ) {}

  static async start(): Promise<LiveRig> {
    const dir = mkdtempSync(join(tmpdir(), 'fixover-fuzz-'));
    const sessions = new Map<string, Session>();
    const app = executorApplication({ send: (m: Message, id: SessionID) => void sessions.get(id.toString())?.send(m) });
    const make = async (target: string): Promise<Session> => {
      const o = options(true, target);
      const store = await FileStore.open({ path: dir, prefix: o.sessionId.filePrefix });
      const s = new Session(o, store, app, { tickMs: 50, maxQueuedBytes: 1024 * 1024 });
      sessions.set(o.sessionId.toString(), s);
      return s;
    };
    const fuzz = await make('FUZZ');
    const good = await make('GOOD');
    const acceptor = new Acceptor([fuzz, good], [{ port: 0, host: '127.0.0.1' }], { logonTimeout: 2 });
    const [port] = await acceptor.start();
    const goodPeer = await FixPeer.connect(port, 'FIX.4.2', 'GOOD', 'EXEC');
    goodPeer.send('35=A|98=0|108=30|141=Y|');
    await goodPeer.waitFor(/\|35=A\|/);
    const box: { rig?: LiveRig } = {};
    const onUncaught = (e: unknown): void => void box.rig?.escaped.push(e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e));
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    const rig = new LiveRig(dir, acceptor, port, fuzz, good, goodPeer, onUncaught);
    box.rig = rig;
    const fault = (error: Error): void => {
      const text = `${error.name}: ${error.message}\n${error.stack ?? ''}`;
      rig.faults.push({ text, known: knownCause(text) });
    };
    fuzz.on('fault', (e) => fault(e.error));
    good.on('fault', (e) => fault(e.error));
    acceptor.on('fault', (e) => fault(e.error));
    return rig;
  }

  /** GOOD sends an order and gets its fill back. */
  async roundTrip(id: string, ms = 5000): Promise<void> {
    this.goodPeer.send(newOrder(id));
    await this.goodPeer.waitFor(new RegExp(`\\|35=8\\|.*\\|11=${id}\\|`), ms);
  }

  /** The FUZZ counterparty connects (once the session let go of its last connection) and sends the steps. */
  async run(steps: readonly FuzzStep[]): Promise<void> {
    const peer = new FuzzPeer('FIX.4.2', 'FUZZ', 'EXEC');
    let socket = await this.connect(peer, true);
    try {
      let i = 0;
      for (const step of steps) {
        if (socket.destroyed || socket.readableEnded) socket = await this.connect(peer, true);
        if (step.kind === 'reconnect') {
          socket.destroy();
          socket = await this.connect(peer, step.reset);
        } else if (step.kind === 'clock') {
          // Real time cannot jump: a short pause lets timers run.
          if (step.ms > 0) await new Promise((r) => setTimeout(r, Math.min(step.ms, 30)));
        } else if (step.kind === 'app-send') {
          this.fuzz.send(new Message('B').set(148, 'news').set(33, 1).set(58, 'fuzz'));
        } else {
          for (const chunk of peer.render(step, Date.now())) socket.write(chunk);
        }
        if (++i % 8 === 0) await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => setTimeout(r, 5));
    } finally {
      this.messages += peer.messages;
      socket.destroy();
    }
  }

  private async connect(peer: FuzzPeer, reset: boolean): Promise<net.Socket> {
    for (let t = 0; this.fuzz.hasSocket && t < 200; t++) await new Promise((r) => setTimeout(r, 5));
    const socket = net.connect(this.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    await once(socket, 'connect');
    socket.write(peer.logon(reset, Date.now()));
    return socket;
  }

  /** The FUZZ counterparty itself can still log on and trade. */
  async fuzzCanTrade(): Promise<void> {
    for (let t = 0; this.fuzz.hasSocket && t < 200; t++) await new Promise((r) => setTimeout(r, 5));
    const p = await FixPeer.connect(this.port, 'FIX.4.2', 'FUZZ', 'EXEC');
    try {
      p.send('35=A|98=0|108=30|141=Y|');
      await p.waitFor(/\|35=A\|/);
      p.send(newOrder('fuzz-final'));
      await p.waitFor(/\|35=8\|.*\|11=fuzz-final\|/);
    } finally {
      p.close();
    }
  }

  async stop(): Promise<void> {
    this.goodPeer.close();
    await this.acceptor.stop();
    process.off('uncaughtException', this.onUncaught);
    process.off('unhandledRejection', this.onUncaught);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
