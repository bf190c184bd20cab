/**
 * Helpers for interoperability tests against real FIX peers (see /work/shared/peers/README.md):
 *
 * - QuickFIX C++'s example executor (Debian `libquickfix17 libquickfix-doc`), extracted into a
 *   temporary directory and run as a child process;
 * - jspurefix (npm), run in-process with a small order-entry / order-filling application written
 *   against its documented API (`SessionLauncher`, `AsciiSession`, `send` with a callback);
 * - the `fixover` command run from source through tsx, always with a time limit;
 * - a loopback TCP proxy that frames the FIX stream in both directions, records every message and
 *   can drop chosen ones (to force a sequence gap, hence a ResendRequest).
 *
 * Every process or socket started here has a way to be stopped; tests stop them in `finally`.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import net from 'node:net';
import { once } from 'node:events';
import { sleep } from '../../scripts/peers/process.js';

export * from '../../scripts/peers/process.js';
export * from '../../scripts/peers/quickfix.js';

export const SOH = '\x01';

/** `<next sender> : <next target>` of a QuickFIX-format `.seqnums` file (both engines write it). */
export function readSeqnums(file: string): { nextSender: number; nextTarget: number } {
  const text = readFileSync(file, 'latin1');
  const m = /^\s*(\d+)\s*:\s*(\d+)/.exec(text);
  if (!m) throw new Error(`${file}: not a seqnums file: ${JSON.stringify(text)}`);
  return { nextSender: Number(m[1]), nextTarget: Number(m[2]) };
}


// ---------------------------------------------------------------------------------------------
// FIX framing (independent of fixover's codec, so a bug there cannot hide here)

export interface FixFrame {
  raw: Buffer;
  fields: Array<[number, string]>;
  msgType: string;
  seq: number;
  /** First value of a tag. */
  get(tag: number): string | undefined;
}

export function parseFrame(raw: Buffer): FixFrame {
  const fields: Array<[number, string]> = [];
  for (const part of raw.toString('latin1').split(SOH)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    fields.push([Number(part.slice(0, eq)), part.slice(eq + 1)]);
  }
  const get = (tag: number): string | undefined => fields.find(([t]) => t === tag)?.[1];
  return { raw, fields, msgType: get(35) ?? '', seq: Number(get(34) ?? 0), get };
}

/** Splits a byte stream into whole FIX messages by BodyLength (`8=…|9=n|<n bytes>10=xxx|`). */
export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { frames: Buffer[]; garbage: Buffer | null } {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      if (this.buf.length < 16) break;
      if (this.buf[0] !== 0x38 || this.buf[1] !== 0x3d) return this.giveUp(frames);
      const lenAt = this.buf.indexOf(`${SOH}9=`);
      if (lenAt < 0 || lenAt > 32) return this.buf.length > 64 ? this.giveUp(frames) : { frames, garbage: null };
      const lenEnd = this.buf.indexOf(SOH, lenAt + 3);
      if (lenEnd < 0) break;
      const bodyLength = Number(this.buf.toString('latin1', lenAt + 3, lenEnd));
      if (!Number.isInteger(bodyLength) || bodyLength <= 0) return this.giveUp(frames);
      const end = lenEnd + 1 + bodyLength + 7;
      if (this.buf.length < end) break;
      frames.push(Buffer.from(this.buf.subarray(0, end)));
      this.buf = this.buf.subarray(end);
    }
    return { frames, garbage: null };
  }

  private giveUp(frames: Buffer[]): { frames: Buffer[]; garbage: Buffer } {
    const garbage = this.buf;
    this.buf = Buffer.alloc(0);
    return { frames, garbage };
  }
}

export type Direction = 'toAcceptor' | 'toInitiator';

export interface ProxiedFrame {
  dir: Direction;
  frame: FixFrame;
  dropped: boolean;
  at: number;
}

/**
 * A loopback proxy between an initiator and an acceptor: every message is recorded, and those for
 * which `drop` returns true are not forwarded (the sender stored and numbered them; the receiver
 * sees a gap). One connection at a time; a new one replaces nothing, both are served.
 */
export class FixProxy {
  readonly frames: ProxiedFrame[] = [];
  drop: (dir: Direction, frame: FixFrame) => boolean = () => false;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<FixProxy> {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const proxy = new FixProxy(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (client) => proxy.onConnection(client, targetPort, targetHost));
    return proxy;
  }

  /** Messages seen in one direction, optionally of one MsgType. */
  seen(dir: Direction, msgType?: string): ProxiedFrame[] {
    return this.frames.filter((f) => f.dir === dir && (msgType === undefined || f.frame.msgType === msgType));
  }

  private onConnection(client: net.Socket, port: number, host: string): void {
    const upstream = net.connect({ port, host });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('close', () => upstream.end());
    upstream.on('close', () => client.end());
    this.pipe(client, upstream, 'toAcceptor');
    this.pipe(upstream, client, 'toInitiator');
  }

  private pipe(from: net.Socket, to: net.Socket, dir: Direction): void {
    const framer = new StreamFramer();
    from.on('data', (chunk: Buffer) => {
      const { frames, garbage } = framer.push(chunk);
      const out: Buffer[] = [];
      for (const raw of frames) {
        const frame = parseFrame(raw);
        let dropped = false;
        try {
          dropped = this.drop(dir, frame);
        } catch {
          dropped = false;
        }
        this.frames.push({ dir, frame, dropped, at: Date.now() });
        if (!dropped) out.push(raw);
      }
      if (garbage) out.push(garbage);
      if (out.length > 0 && !to.destroyed) to.write(out.length === 1 ? out[0] : Buffer.concat(out));
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

// ---------------------------------------------------------------------------------------------
// jspurefix

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Jsf = typeof import('jspurefix');

/** Loads jspurefix (with the reflect-metadata polyfill its DI needs), or says why it cannot. */
export async function loadJspurefix(): Promise<Jsf | string> {
  const req = createRequire(import.meta.url);
  let main: string;
  try {
    main = req.resolve('jspurefix');
  } catch {
    return 'jspurefix is not installed: npm install --save-dev jspurefix';
  }
  try {
    createRequire(main)('reflect-metadata');
    return (await import('jspurefix')) as Jsf;
  } catch (e) {
    return `jspurefix failed to load: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** An application message a jspurefix peer received. */
export interface JsReceived {
  msgType: string;
  seq: number;
  possDup: boolean;
  /** Tag -> value of every field (first occurrence). */
  fields: Map<number, string>;
}

export interface JsPeerOptions {
  role: 'initiator' | 'acceptor';
  /** Initiator: where to connect. Acceptor: where to listen (0 is not allowed; use freePort()). */
  port: number;
  senderCompID: string;
  targetCompID: string;
  heartBtInt?: number;
  /** jspurefix dictionary (default its QuickFIX FIX 4.4 one, `qf44`). */
  dictionary?: string;
  /** Log level of jspurefix's console logger (default `error`; JSPUREFIX_LOG overrides). */
  logLevel?: string;
  /** TLS, as jspurefix's `tcp.tls` takes it: `key`, `cert` and `ca` file paths, `requestCert`, `rejectUnauthorized`. */
  tls?: { key?: string; cert?: string; ca?: string[]; requestCert?: boolean; rejectUnauthorized?: boolean };
}

export interface JsPeer {
  /** Application messages received, in order. */
  readonly received: JsReceived[];
  /** Every message received (session and application), as MsgType:seq[:PossDup]. */
  readonly trace: string[];
  /** Resolves at logon (jspurefix's onReady). */
  readonly ready: Promise<void>;
  /** Resolves when the session has stopped (with the error that stopped it, if any). */
  readonly stopped: Promise<Error | undefined>;
  /** Initiator: sends a FIX 4.4 limit NewOrderSingle. */
  sendOrder(clOrdID: string, qty?: number, price?: number): void;
  /** Logs out (jspurefix's done()). */
  logout(): void;
  /** Stops the launcher (closes an acceptor's listener, ends the session). */
  stop(): void;
  /** jspurefix's session state name. */
  state(): string;
  lastSentSeqNum(): number;
  lastPeerSeqNum(): number;
  /** ExecutionReports this acceptor has sent. */
  fills(): number;
}

/**
 * Starts a jspurefix session in-process: an initiator that sends limit orders, or an acceptor
 * that fills every NewOrderSingle with one ExecutionReport (ExecType F, OrdStatus 2). Application
 * messages it sends are kept in jspurefix's message store so that a ResendRequest is answered
 * with the messages themselves (PossDupFlag=Y) rather than only a gap fill.
 */
export async function startJspurefix(jsf: Jsf, o: JsPeerOptions): Promise<JsPeer> {
  const level = process.env.JSPUREFIX_LOG ?? o.logLevel ?? 'error';
  const description: any = {
    application: {
      type: o.role,
      name: `interop_${o.role}`,
      reconnectSeconds: 1,
      connectTimeoutSeconds: 10,
      tcp: { host: '127.0.0.1', port: o.port, ...(o.tls ? { tls: jspurefixTlsPaths(o.tls) } : {}) },
      protocol: 'ascii',
      dictionary: o.dictionary ?? 'qf44',
    },
    Username: 'interop',
    Password: 'interop',
    EncryptMethod: 0,
    ResetSeqNumFlag: false,
    HeartBtInt: o.heartBtInt ?? 30,
    SenderCompId: o.senderCompID,
    TargetCompID: o.targetCompID,
    BeginString: 'FIX.4.4',
  };
  const received: JsReceived[] = [];
  const trace: string[] = [];
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));
  let stoppedResolve!: (e: Error | undefined) => void;
  const stopped = new Promise<Error | undefined>((r) => (stoppedResolve = r));
  let session: any = null;
  let fills = 0;

  const SessionBase = jsf.AsciiSession as unknown as new (config: any) => any;
  class InteropSession extends SessionBase {
    private execId = 0;
    private readonly filled = new Set<string>();

    constructor(config: any) {
      super(config);
      // eslint-disable-next-line @typescript-eslint/no-this-alias -- the test keeps the one session jspurefix creates
      session = this;
      // onStopped reports the error; without a listener EventEmitter would throw it.
      this.on('error', () => undefined);
    }

    /** Sends an application message and keeps it for resends. */
    sendApp(msgType: string, obj: any): void {
      (this as any).send(msgType, obj, (err: Error | null, result: any) => {
        const seq = result?.header?.MsgSeqNum as number | undefined;
        if (err || seq === undefined) return;
        void (this as any).store?.put(new jsf.FixMsgStoreRecord(msgType, new Date(), seq, obj, null));
      });
    }

    protected onApplicationMsg(msgType: string, view: any): void {
      const fields = new Map<number, string>();
      for (const tag of [11, 14, 17, 31, 32, 37, 38, 39, 40, 43, 44, 54, 55, 6, 122, 150, 151]) {
        const v = view.getString(tag);
        if (v !== null && v !== undefined) fields.set(tag, v);
      }
      const seq = Number(view.getTyped(34));
      received.push({ msgType, seq, possDup: fields.get(43) === 'Y', fields });
      if (o.role === 'acceptor' && msgType === 'D') {
        // A PossDupFlag=Y order already filled is a retransmission, not a new order.
        const id = fields.get(11) ?? '';
        if (this.filled.has(id) && fields.get(43) === 'Y') return;
        this.filled.add(id);
        const qty = Number(fields.get(38));
        const price = Number(fields.get(44) ?? 0);
        const n = ++this.execId;
        fills++;
        this.sendApp('8', {
          OrderID: `JSO${n}`,
          ExecID: `JSE${n}`,
          ExecType: 'F',
          OrdStatus: '2',
          Side: fields.get(54),
          Instrument: { Symbol: fields.get(55) },
          OrderQtyData: { OrderQty: qty },
          LastQty: qty,
          LastPx: price,
          LeavesQty: 0,
          CumQty: qty,
          AvgPx: price,
          ClOrdID: fields.get(11),
        });
      }
    }

    protected onMsg(msgType: string, view: any): void {
      trace.push(`${msgType}:${view.getTyped(34)}${view.getString(43) === 'Y' ? ':PossDup' : ''}`);
      super.onMsg(msgType, view);
    }

    protected onReady(): void {
      readyResolve();
    }

    protected onStopped(error?: Error): void {
      stoppedResolve(error);
    }

    protected onLogon(): boolean {
      return true;
    }

    protected onDecoded(): void {}

    protected onEncoded(): void {}
  }

  const LauncherBase = jsf.SessionLauncher as unknown as new (i: any, a: any, log: any) => any;
  class Launcher extends LauncherBase {
    protected makeFactory(): any {
      return { makeSession: (config: any) => new InteropSession(config) };
    }
  }
  const logFactory = new jsf.JsFixWinstonLogFactory(jsf.WinstonLogger.consoleOptions(level));
  const launcher = o.role === 'initiator' ? new Launcher(description, null, logFactory) : new Launcher(null, description, logFactory);
  (launcher.run() as Promise<unknown>).catch((e: unknown) => stoppedResolve(e instanceof Error ? e : new Error(String(e))));
  if (o.role === 'acceptor') {
    const t0 = Date.now();
    while (!(await canConnectQuietly(o.port))) {
      if (Date.now() - t0 > 10_000) throw new Error(`jspurefix acceptor not listening on ${o.port}`);
      await sleep(20);
    }
  }
  const need = (): any => {
    if (!session) throw new Error('jspurefix session not created yet');
    return session;
  };
  return {
    received,
    trace,
    ready,
    stopped,
    sendOrder(clOrdID, qty = 100, price = 10.5) {
      need().sendApp('D', {
        ClOrdID: clOrdID,
        HandlInst: '1',
        Instrument: { Symbol: 'IBM' },
        Side: '1',
        TransactTime: new Date(),
        OrderQtyData: { OrderQty: qty },
        OrdType: '2',
        Price: price,
      });
    },
    logout() {
      need().done();
    },
    stop() {
      launcher.stop();
      session?.requestStop?.('test finished');
    },
    state: () => (session ? String(jsf.SessionState[session.getState()]) : 'none'),
    lastSentSeqNum: () => (session ? Number(session.lastSentSeqNum()) : 0),
    lastPeerSeqNum: () => (session ? Number(session.lastPeerSeqNum()) : 0),
    fills: () => fills,
  };
}

/** jspurefix reads TLS files relative to its package folder: absolute paths are made relative to it. */
function jspurefixTlsPaths(t: NonNullable<JsPeerOptions['tls']>): NonNullable<JsPeerOptions['tls']> {
  let root = dirname(realpathSync(createRequire(import.meta.url).resolve('jspurefix')));
  while (!existsSync(join(root, 'package.json'))) root = dirname(root);
  const rel = (p: string | undefined): string | undefined => (p === undefined ? undefined : relative(root, p));
  return { ...t, key: rel(t.key), cert: rel(t.cert), ca: t.ca?.map((c) => relative(root, c)) };
}

/**
 * Probing a jspurefix acceptor with a bare connection would make it create (and log) a session
 * that never logs on; a listening check through a refused bind is quieter.
 */
async function canConnectQuietly(port: number): Promise<boolean> {
  const srv = net.createServer();
  return new Promise((resolve) => {
    srv.once('error', () => resolve(true));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(false)));
  });
}
/* eslint-enable @typescript-eslint/no-explicit-any */
