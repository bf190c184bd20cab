/**
 * The load client of the session benchmark (bench/session.bench.ts), run as its own process.
 *
 * It is written to stay out of the way of the server it measures: raw bytes, no codec, no
 * per-message objects. A NewOrderSingle is written into one reusable buffer from constant pieces
 * with MsgSeqNum, SendingTime, ClOrdID and TransactTime patched in, BodyLength and CheckSum
 * computed on the spot; the orders of one event-loop turn go out in one socket write. Replies are
 * framed by BodyLength and only MsgType and ClOrdID are read; ClOrdID is the order's number, which
 * indexes a ring of send times. Latency is taken from the order's intended send time (open loop:
 * its slot in the schedule), so a server that falls behind is charged for it (no coordinated
 * omission).
 *
 * Input: one JSON argument (ClientConfig). Output: one JSON line (ClientResult) on stdout.
 */
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';

export type ClientCase =
  /** Closed loop with `window` orders in flight for `seconds`: round trips per second. */
  | { kind: 'throughput'; window: number; warmupSeconds: number; seconds: number }
  /** One order in flight for `seconds`: latency percentiles. */
  | { kind: 'pingpong'; warmupSeconds: number; seconds: number }
  /** Open loop at `rate` orders per second for `seconds`: latency from the intended send time. */
  | { kind: 'rate'; rate: number; warmupSeconds: number; seconds: number }
  /** Closed loop with `window` in flight until `checkpoints` (ascending order counts); reads the server's VmRSS at each. */
  | { kind: 'memory'; window: number; checkpoints: number[] };

export interface ClientConfig {
  port: number;
  host?: string;
  senderCompID: string;
  targetCompID: string;
  /** The server's process id (for VmRSS and CPU time from /proc). */
  serverPid: number;
  cases: ClientCase[];
  /**
   * Open loop: poll the clock on every event-loop turn (one busy core) instead of being woken by a
   * worker at each slot. The sends are then late by microseconds, not by a thread's wake-up.
   */
  spin?: boolean;
  /** TLS: the CA file that signed the server's certificate (the connection is then TLS, host name checked). */
  tlsCa?: string;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface CaseResult {
  kind: ClientCase['kind'];
  /** Orders answered during the measured part. */
  orders: number;
  seconds: number;
  /** Round trips per second over the measured part. */
  perSecond: number;
  /** Microseconds. */
  latency: LatencySummary;
  /**
   * rate: how late the client itself sent each order after its intended time, in microseconds
   * (part of `latency`, which counts from the intended time; the same for every server).
   */
  sendLag?: LatencySummary;
  /**
   * rate: microseconds from the moment the client actually sent each order to its reply (the
   * latency less the client's own lateness).
   */
  fromSend?: LatencySummary;
  /** Server CPU time (user + system) per round trip in microseconds over the measured part. */
  serverCpuPerOrderUs: number;
  /** Load client CPU time per round trip in microseconds. */
  clientCpuPerOrderUs: number;
  /**
   * memory: [orders, VmRSS KiB] at each checkpoint: the median of readings taken every 1% of the
   * checkpoint over its last 10 % (one reading lands anywhere in a garbage collection cycle).
   */
  rss?: Array<[number, number]>;
  /** Replies that were not a filled ExecutionReport (rejects, unknown ClOrdIDs). */
  unexpected: number;
  /**
   * Milliseconds of CPU the virtual machine's host took from this machine's vCPUs ("steal" in
   * /proc/stat, all CPUs, 10 ms ticks) during the measured part. While the host holds a vCPU back,
   * every process on it stops (seen here in slices of 100 ms), whatever it runs.
   */
  hostStealMs: number;
}

export interface ClientResult {
  cases: CaseResult[];
}

const SOH = 0x01;
const RING = 1 << 17;

// ---------------------------------------------------------------------------------------------
// Outgoing messages, written into one buffer

const enc = (s: string): Buffer => Buffer.from(s, 'latin1');

class Writer {
  private out = Buffer.allocUnsafe(1 << 20);
  private pos = 0;
  private readonly body = Buffer.allocUnsafe(4096);
  private bodyLen = 0;
  private readonly tsBuf = Buffer.alloc(21);
  private tsSecond = -1;
  private readonly pNos: Buffer;
  private readonly pComp: Buffer;
  private readonly pNosTail: Buffer;

  constructor(
    private readonly sender: string,
    private readonly target: string,
  ) {
    this.pNos = enc('35=D\x0134=');
    this.pComp = enc(`\x0149=${sender}\x0152=`);
    this.pNosTail = enc('\x0121=1\x0138=100\x0140=2\x0144=10.5\x0154=1\x0155=IBM\x0160=');
  }

  get length(): number {
    return this.pos;
  }

  /** Bytes written since the last take (a view, valid until the next write). */
  take(): Buffer {
    const b = this.out.subarray(0, this.pos);
    this.pos = 0;
    return b;
  }

  /** SendingTime of now, as YYYYMMDD-HH:MM:SS.sss, rewritten only when the second changes. */
  private timestamp(): Buffer {
    const ms = Date.now();
    const second = Math.floor(ms / 1000);
    const b = this.tsBuf;
    if (second !== this.tsSecond) {
      this.tsSecond = second;
      const d = new Date(second * 1000);
      const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
      b.write(`${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}-${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.`, 0, 'latin1');
    }
    const m = ms - second * 1000;
    b[18] = 48 + Math.floor(m / 100);
    b[19] = 48 + (Math.floor(m / 10) % 10);
    b[20] = 48 + (m % 10);
    return b;
  }

  private raw(src: Buffer): void {
    src.copy(this.body, this.bodyLen);
    this.bodyLen += src.length;
  }

  private int(n: number): void {
    const b = this.body;
    if (n === 0) {
      b[this.bodyLen++] = 48;
      return;
    }
    let digits = 0;
    for (let x = n; x > 0; x = Math.floor(x / 10)) digits++;
    let p = this.bodyLen + digits;
    this.bodyLen = p;
    for (let x = n; x > 0; x = Math.floor(x / 10)) b[--p] = 48 + (x % 10);
  }

  private str(s: string): void {
    this.bodyLen += this.body.write(s, this.bodyLen, 'latin1');
  }

  /** Wraps the body built so far in BeginString, BodyLength and CheckSum. */
  private finish(): void {
    if (this.out.length - this.pos < this.bodyLen + 64) {
      const bigger = Buffer.allocUnsafe(this.out.length * 2);
      this.out.copy(bigger, 0, 0, this.pos);
      this.out = bigger;
    }
    const o = this.out;
    const start = this.pos;
    let p = start + o.write('8=FIX.4.4\x019=', start, 'latin1');
    p += o.write(String(this.bodyLen), p, 'latin1');
    o[p++] = SOH;
    this.body.copy(o, p, 0, this.bodyLen);
    p += this.bodyLen;
    let sum = 0;
    for (let i = start; i < p; i++) sum += o[i];
    sum &= 255;
    o[p++] = 49;
    o[p++] = 48;
    o[p++] = 61;
    o[p++] = 48 + Math.floor(sum / 100);
    o[p++] = 48 + (Math.floor(sum / 10) % 10);
    o[p++] = 48 + (sum % 10);
    o[p++] = SOH;
    this.pos = p;
    this.bodyLen = 0;
  }

  order(seq: number, clOrdID: number): void {
    const ts = this.timestamp();
    this.raw(this.pNos);
    this.int(seq);
    this.raw(this.pComp);
    this.raw(ts);
    this.str(`\x0156=${this.target}\x0111=`);
    this.int(clOrdID);
    this.raw(this.pNosTail);
    this.raw(ts);
    this.body[this.bodyLen++] = SOH;
    this.finish();
  }

  /** A session message from tag=value pairs after the CompIDs. */
  admin(msgType: string, seq: number, fields: string): void {
    this.str(`35=${msgType}\x0134=`);
    this.int(seq);
    this.raw(this.pComp);
    this.raw(this.timestamp());
    this.str(`\x0156=${this.target}\x01${fields}`);
    this.finish();
  }
}

// ---------------------------------------------------------------------------------------------
// The connection

interface Reply {
  /** MsgType's first byte. */
  type: number;
  /** ClOrdID as a number (-1 when absent). */
  id: number;
  /** 39=2 (filled). */
  filled: boolean;
  start: number;
  end: number;
}

class Connection {
  private readonly socket: net.Socket;
  private readonly w: Writer;
  private seq = 1;
  private rest: Buffer | null = null;
  /** Called with each reply (the fields are reused between calls). */
  onReply: (r: Reply, buf: Buffer) => void = () => undefined;
  /** Called after a chunk of replies was handled. */
  onChunkEnd: () => void = () => undefined;
  private readonly reply: Reply = { type: 0, id: -1, filled: false, start: 0, end: 0 };
  private closed = false;

  constructor(socket: net.Socket, sender: string, target: string) {
    this.socket = socket;
    this.w = new Writer(sender, target);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => (this.closed = true));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  order(clOrdID: number): void {
    this.w.order(this.seq++, clOrdID);
  }

  admin(msgType: string, fields: string): void {
    this.w.admin(msgType, this.seq++, fields);
  }

  /** Writes what was queued this turn in one write (the bytes are copied: the buffer is reused). */
  flush(): void {
    if (this.w.length === 0) return;
    this.socket.write(Buffer.from(this.w.take()));
  }

  end(): void {
    this.socket.end();
  }

  private onData(chunk: Buffer): void {
    let buf = chunk;
    if (this.rest) {
      buf = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    let pos = 0;
    const n = buf.length;
    while (pos < n) {
      // 8=FIX.4.4<SOH>9=<len><SOH>
      const lenAt = buf.indexOf(BODYLENGTH, pos);
      if (lenAt < 0 || lenAt + 3 >= n) break;
      let p = lenAt + 3;
      let bodyLen = 0;
      while (p < n && buf[p] !== SOH) bodyLen = bodyLen * 10 + (buf[p++] - 48);
      if (p >= n) break;
      const bodyStart = p + 1;
      const end = bodyStart + bodyLen + 7;
      if (end > n) break;
      this.parse(buf, bodyStart, end);
      this.onReply(this.reply, buf);
      pos = end;
    }
    if (pos < n) this.rest = Buffer.from(buf.subarray(pos));
    this.onChunkEnd();
    this.flush();
  }

  private parse(buf: Buffer, bodyStart: number, end: number): void {
    const r = this.reply;
    r.start = bodyStart;
    r.end = end;
    // The body starts with 35=
    r.type = buf[bodyStart + 3];
    r.id = -1;
    r.filled = false;
    if (r.type !== 0x38) return;
    const at = buf.indexOf(CLORDID, bodyStart);
    if (at >= 0 && at < end) {
      let id = 0;
      for (let p = at + 4; buf[p] !== SOH; p++) id = id * 10 + (buf[p] - 48);
      r.id = id;
    }
    const st = buf.indexOf(ORDSTATUS, bodyStart);
    r.filled = st >= 0 && st < end && buf[st + 4] === 0x32;
  }
}

const BODYLENGTH = Buffer.from('\x019=', 'latin1');
const CLORDID = Buffer.from('\x0111=', 'latin1');
const ORDSTATUS = Buffer.from('\x0139=', 'latin1');

async function connect(c: ClientConfig): Promise<Connection> {
  const host = c.host ?? '127.0.0.1';
  const socket: net.Socket = c.tlsCa ? tls.connect({ port: c.port, host, ca: readFileSync(c.tlsCa), servername: 'localhost' }) : net.connect({ port: c.port, host });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once(c.tlsCa ? 'secureConnect' : 'connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const conn = new Connection(socket, c.senderCompID, c.targetCompID);
  const logon = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no Logon response within 10 s')), 10_000);
    conn.onReply = (r) => {
      if (r.type === 0x41) {
        clearTimeout(timer);
        resolve();
      }
    };
  });
  conn.admin('A', '98=0\x01108=30\x01141=Y\x01');
  conn.flush();
  await logon;
  return conn;
}

// ---------------------------------------------------------------------------------------------
// Measurement

function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

function summary(h: hdr.Histogram): LatencySummary {
  return {
    count: h.totalCount,
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
    mean: Math.round(h.mean * 10) / 10,
  };
}

/** utime + stime of a process in microseconds (from /proc, clock ticks of 10 ms). */
function cpuOf(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10_000;
  } catch {
    return NaN;
  }
}

/** Steal time of all CPUs in milliseconds (/proc/stat's first line, eighth value, 10 ms ticks); NaN where unreadable. */
function hostSteal(): number {
  try {
    const first = readFileSync('/proc/stat', 'latin1').slice(0, 256).split('\n')[0].trim().split(/\s+/);
    return Number(first[8]) * 10;
  } catch {
    return NaN;
  }
}

function ownCpu(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  return m ? Number(m[1]) : NaN;
}

/** Runs one case on the connection; every order of it is answered before it resolves. */
function runCase(conn: Connection, c: ClientCase, serverPid: number, spin: boolean, firstId: number): Promise<CaseResult & { nextId: number }> {
  return new Promise((resolve, reject) => {
    const sentAt = new Float64Array(RING);
    /** When each order actually went out (differs from `sentAt` in the open loop). */
    const wentAt = new Float64Array(RING);
    const h = histogram();
    const lag = histogram();
    const fromSend = histogram();
    let nextId = firstId;
    let inFlight = 0;
    let answered = 0;
    let unexpected = 0;
    let measuring = false;
    let stopping = false;
    let measuredOrders = 0;
    let t0 = 0;
    let cpu0 = 0;
    let own0 = 0;
    let tEnd = 0;
    let cpuEnd = 0;
    let ownEnd = 0;
    let steal0 = 0;
    let stealEnd = 0;
    const rss: Array<[number, number]> = [];
    let readings: number[] = [];
    const window = c.kind === 'throughput' || c.kind === 'memory' ? c.window : 1;
    const warmupMs = 'warmupSeconds' in c ? c.warmupSeconds * 1000 : 0;
    const measureMs = 'seconds' in c ? c.seconds * 1000 : 0;
    const start = performance.now();

    const send = (intended: number, actual = intended): void => {
      const id = nextId++;
      sentAt[id & (RING - 1)] = intended;
      wentAt[id & (RING - 1)] = actual;
      inFlight++;
      conn.order(id);
    };

    const beginMeasuring = (): void => {
      measuring = true;
      t0 = performance.now();
      cpu0 = cpuOf(serverPid);
      own0 = ownCpu();
      steal0 = hostSteal();
    };

    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      tEnd = performance.now();
      cpuEnd = cpuOf(serverPid);
      ownEnd = ownCpu();
      stealEnd = hostSteal();
      measuring = false;
      if (inFlight === 0) finish();
    };

    const finish = (): void => {
      clearTimeout(guard);
      ticker?.stop();
      const seconds = (tEnd - t0) / 1000;
      resolve({
        kind: c.kind,
        orders: measuredOrders,
        seconds,
        perSecond: measuredOrders / seconds,
        latency: summary(h),
        sendLag: c.kind === 'rate' ? summary(lag) : undefined,
        fromSend: c.kind === 'rate' ? summary(fromSend) : undefined,
        serverCpuPerOrderUs: measuredOrders ? (cpuEnd - cpu0) / measuredOrders : NaN,
        clientCpuPerOrderUs: measuredOrders ? (ownEnd - own0) / measuredOrders : NaN,
        rss: c.kind === 'memory' ? rss : undefined,
        unexpected,
        hostStealMs: stealEnd - steal0,
        nextId,
      });
    };

    const guard = setTimeout(() => reject(new Error(`case ${c.kind} did not finish (in flight: ${inFlight}, answered: ${answered})`)), warmupMs + measureMs + 600_000);

    // Open loop: a worker wakes this thread at every slot of the schedule.
    const interval = c.kind === 'rate' ? 1000 / c.rate : 0;
    let slot = 0;
    const sendDue = (): void => {
      if (stopping) return;
      const now = performance.now();
      while (start + slot * interval <= now) {
        if (measuring) lag.recordValue(Math.max(1, Math.round((now - (start + slot * interval)) * 1000)));
        send(start + slot * interval, now);
        slot++;
      }
      conn.flush();
    };
    const ticker = c.kind === 'rate' ? (spin ? new SpinTicker(sendDue) : new Ticker(interval, sendDue)) : null;

    conn.onReply = (r, buf) => {
      if (r.type === 0x30) return; // Heartbeat
      if (r.type === 0x31) {
        // TestRequest: answer with its TestReqID
        const at = buf.indexOf('\x01112=', r.start, 'latin1');
        const end = buf.indexOf(SOH, at + 5);
        conn.admin('0', `112=${buf.toString('latin1', at + 5, end)}\x01`);
        return;
      }
      if (r.type !== 0x38 || r.id < firstId || r.id >= nextId || !r.filled) {
        unexpected++;
        if (r.type !== 0x38) return;
      }
      const now = performance.now();
      inFlight--;
      answered++;
      if (measuring) {
        h.recordValue(Math.max(1, Math.round((now - sentAt[r.id & (RING - 1)]) * 1000)));
        if (c.kind === 'rate') fromSend.recordValue(Math.max(1, Math.round((now - wentAt[r.id & (RING - 1)]) * 1000)));
        measuredOrders++;
      }
      const checkpoint = c.kind === 'memory' ? c.checkpoints[rss.length] : 0;
      if (checkpoint && answered >= checkpoint * 0.9 && answered % Math.max(1, Math.floor(checkpoint / 100)) === 0) readings.push(rssKiB(serverPid));
      if (c.kind === 'memory' && rss.length < c.checkpoints.length && answered === checkpoint) {
        readings.push(rssKiB(serverPid));
        readings.sort((x, y) => x - y);
        rss.push([answered, readings[readings.length >> 1]]);
        readings = [];
        if (rss.length === c.checkpoints.length) {
          tEnd = performance.now();
          cpuEnd = cpuOf(serverPid);
          ownEnd = ownCpu();
          stopping = true;
        }
      }
      if (stopping) {
        if (inFlight === 0) finish();
        return;
      }
      if (c.kind !== 'rate') {
        const limit = c.kind === 'memory' ? c.checkpoints[c.checkpoints.length - 1] : Infinity;
        while (inFlight < window && answered + inFlight < limit) send(now);
      }
    };
    conn.onChunkEnd = () => {
      if (conn.isClosed) reject(new Error('connection closed by the server'));
    };

    if (c.kind === 'memory') {
      beginMeasuring();
      for (let i = 0; i < window; i++) send(performance.now());
      conn.flush();
      return;
    }
    if (c.kind !== 'rate') {
      for (let i = 0; i < window; i++) send(performance.now());
      conn.flush();
    } else {
      ticker!.start();
    }
    setTimeout(() => {
      beginMeasuring();
      setTimeout(stop, measureMs);
    }, warmupMs);
  });
}

/** Calls `onTick` on every turn of the event loop, which then never sleeps (a busy core). */
class SpinTicker {
  private running = false;

  constructor(private readonly onTick: () => void) {}

  start(): void {
    this.running = true;
    const turn = (): void => {
      if (!this.running) return;
      this.onTick();
      setImmediate(turn);
    };
    setImmediate(turn);
  }

  stop(): void {
    this.running = false;
  }
}

/**
 * Wakes the main thread every `intervalMs` (fractions of a millisecond allowed): a worker sleeps
 * on Atomics.wait, which has microsecond resolution and uses no CPU, and posts a message.
 */
class Ticker {
  private worker: Worker | null = null;
  private readonly flag = new Int32Array(new SharedArrayBuffer(8));

  constructor(
    private readonly intervalMs: number,
    private readonly onTick: () => void,
  ) {}

  start(): void {
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { performance } = require('node:perf_hooks');
      const flag = new Int32Array(workerData.sab);
      const interval = workerData.interval;
      let next = performance.now() + interval;
      while (Atomics.load(flag, 1) === 0) {
        const wait = next - performance.now();
        if (wait > 0) Atomics.wait(flag, 0, 0, wait);
        parentPort.postMessage(0);
        next += interval;
        const now = performance.now();
        if (next < now) next = now + interval / 2;
      }
    `;
    this.worker = new Worker(code, { eval: true, workerData: { sab: this.flag.buffer, interval: this.intervalMs } });
    this.worker.on('message', this.onTick);
    this.worker.unref();
  }

  stop(): void {
    Atomics.store(this.flag, 1, 1);
    this.worker?.removeAllListeners('message');
    void this.worker?.terminate();
    this.worker = null;
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]) as ClientConfig;
  const conn = await connect(config);
  const result: ClientResult = { cases: [] };
  let id = 1;
  for (const c of config.cases) {
    const r = await runCase(conn, c, config.serverPid, config.spin === true, id);
    id = r.nextId;
    const { nextId: _n, ...rest } = r;
    result.cases.push(rest);
  }
  conn.admin('5', '');
  conn.flush();
  await new Promise((r) => setTimeout(r, 100));
  conn.end();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`session-client: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
