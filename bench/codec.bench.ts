/**
 * Codec benchmark: fixover against jspurefix, side by side in one run.
 *
 *   npm run bench            full run (7 measured runs per case, about a minute)
 *   npm run bench -- --quick short smoke run
 *
 * Cases, on a FIX.4.4 NewOrderSingle (20 fields, ~200 bytes) and ExecutionReport (32 fields,
 * ~315 bytes):
 *  - decode: a buffer of 100,000 concatenated messages, fed in 64 KiB chunks as a socket would,
 *    is framed and every message parsed, then 5 fields of each are read. fixover: Framer + Parser
 *    with BodyLength and CheckSum validation on, typed getters. jspurefix: AsciiParser (its own
 *    framing) with the FIX44 dictionary, MsgView getString/getTyped.
 *  - encode: the same messages from prepared objects, MsgSeqNum advanced on every message as a
 *    session does. fixover: Encoder.encode(Message). jspurefix: AsciiMsgTransmitter.encodeMessage
 *    from its object form, then encoder.trim() (the bytes it puts on the wire).
 *
 * Each implementation runs in its own child process (no JIT or GC interference); the parent
 * alternates runs between the two so machine noise hits both alike, and reports medians. Heap
 * growth per decoded message is measured with GC forced before and no GC during a batch.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { Encoder, Framer, Message, Parser, type MessageView } from '../src/codec/index.js';

type Impl = 'fixover' | 'jspurefix';
type CaseName = 'decode-NOS' | 'decode-ER' | 'encode-NOS' | 'encode-ER';

const IMPLS: readonly Impl[] = ['fixover', 'jspurefix'];
const CASES: readonly CaseName[] = ['decode-NOS', 'decode-ER', 'encode-NOS', 'encode-ER'];

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const MESSAGES = QUICK ? 20_000 : 100_000;
const RUNS = QUICK ? 3 : 7;
/** A run repeats whole passes until it lasts at least this long. */
const MIN_RUN_MS = QUICK ? 60 : 250;
const WARMUP_MS = QUICK ? 150 : 600;
const CHUNK = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// The messages
// ---------------------------------------------------------------------------------------------

type Fields = Array<[number, string]>;

const SENDER = 'SENDERCOMP';
const TARGET = 'TARGETCOMP';
const TIME_MS = Date.UTC(2026, 10, 23, 6, 0, 0, 123);
const TIME = '20261123-06:00:00.123';

function pad7(i: number): string {
  return String(i).padStart(7, '0');
}

/**
 * Fields are listed in the FIX44 dictionary's order, the order jspurefix writes them in. This is
 * the favourable case for jspurefix: it decodes messages with fields in tag order (as QuickFIX
 * writes them) about 1.6 times slower. fixover does not care about the order.
 */
function header(seq: number): Fields {
  return [
    [49, SENDER],
    [56, TARGET],
    [34, String(seq)],
    [52, TIME],
  ];
}

/** NewOrderSingle body. */
function nosBody(i: number): Fields {
  return [
    [11, `ORD-${pad7(i)}`],
    [1, 'ACCT-0001'],
    [21, '1'],
    [55, 'IBM'],
    [207, 'XNYS'],
    [54, '1'],
    [60, TIME],
    [38, '100'],
    [40, '2'],
    [44, '123.45'],
    [15, 'USD'],
    [59, '0'],
  ];
}

/** ExecutionReport body. */
function erBody(i: number): Fields {
  return [
    [37, `OID-${pad7(i)}`],
    [11, `ORD-${pad7(i)}`],
    [17, `EXEC-${pad7(i)}`],
    [150, 'F'],
    [39, '2'],
    [1, 'ACCT-0001'],
    [55, 'IBM'],
    [207, 'XNYS'],
    [54, '1'],
    [38, '100'],
    [40, '2'],
    [44, '123.45'],
    [15, 'USD'],
    [59, '0'],
    [32, '100'],
    [31, '123.45'],
    [30, 'XNYS'],
    [336, 'DAY'],
    [151, '0'],
    [14, '100'],
    [6, '123.45'],
    [75, '20261123'],
    [60, TIME],
    [381, '12345'],
  ];
}

const KINDS = {
  NOS: { msgType: 'D', body: nosBody },
  ER: { msgType: '8', body: erBody },
} as const;
type Kind = keyof typeof KINDS;

function kindOf(c: CaseName): Kind {
  return c.endsWith('NOS') ? 'NOS' : 'ER';
}

/** Builds a frame independently of the encoder under test. */
function buildFrame(msgType: string, fields: Fields): Buffer {
  let body = `35=${msgType}\x01`;
  for (const [t, v] of fields) body += `${t}=${v}\x01`;
  const head = `8=FIX.4.4\x019=${body.length}\x01`;
  const text = head + body;
  let sum = 0;
  for (let k = 0; k < text.length; k++) sum += text.charCodeAt(k);
  return Buffer.from(`${text}10=${String(sum & 0xff).padStart(3, '0')}\x01`, 'latin1');
}

interface Corpus {
  /** All messages back to back. */
  buf: Buffer;
  /** The same bytes in socket-sized chunks. */
  chunks: Buffer[];
  /** Byte offset of the end of message i (ends[i]). */
  ends: Int32Array;
  bytesPerMessage: number;
}

function corpus(kind: Kind, n: number): Corpus {
  const { msgType, body } = KINDS[kind];
  const frames: Buffer[] = [];
  const ends = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const f = buildFrame(msgType, [...header(i + 1), ...body(i + 1)]);
    frames.push(f);
    total += f.length;
    ends[i] = total;
  }
  const buf = Buffer.concat(frames, total);
  const chunks: Buffer[] = [];
  for (let p = 0; p < total; p += CHUNK) chunks.push(buf.subarray(p, Math.min(total, p + CHUNK)));
  return { buf, chunks, ends, bytesPerMessage: Math.round(total / n) };
}

// ---------------------------------------------------------------------------------------------
// Workloads: one object per case and implementation, created in the worker
// ---------------------------------------------------------------------------------------------

interface Workload {
  /** Processes everything once; returns the number of messages handled. */
  pass(): number;
  /** Processes the first n messages (decode only), for the heap measurement. */
  passFirst?(n: number): number;
  /** Same without reading fields: framing and parsing only. */
  parseOnlyFirst?(n: number): number;
  /** Cuts the batch of the first n messages (before measuring). */
  prepare?(n: number): void;
  /** Bytes per message. */
  bytes: number;
  /** Keeps results observable so nothing is optimised away. */
  sink(): number;
}

/** Throws when a decode pass did not see exactly the expected messages. */
function expectCount(got: number, want: number): void {
  if (got !== want) throw new Error(`decoded ${got} messages, expected ${want}`);
}

function fixoverDecode(kind: Kind): Workload {
  const data = corpus(kind, MESSAGES);
  const parser = new Parser({ validateLength: true, validateChecksum: true });
  // A typed array slot: a captured `let` holding a double would allocate on every update.
  const acc = new Float64Array(1);
  let count = 0;
  let readFields = true;
  // One reader per message type, as an application would have.
  const readNOS = (v: MessageView): void => {
    acc[0] += v.get(11)!.length + v.get(55)!.length + v.getChar(54).length + v.getNumber(38) + v.getNumber(44);
  };
  const readER = (v: MessageView): void => {
    acc[0] += v.get(37)!.length + v.get(17)!.length + v.getChar(150).length + v.getNumber(14) + v.getNumber(31);
  };
  const read = kind === 'NOS' ? readNOS : readER;
  const framer = new Framer({
    onFrame(buf, start, end) {
      const v = parser.parse(buf, start, end);
      if (readFields) read(v);
      count++;
    },
    onError(error) {
      throw error;
    },
  });
  const heapBatches = new Map<number, Buffer>();
  const firstN = (n: number, withReads: boolean): number => {
    const b = heapBatches.get(n)!;
    count = 0;
    readFields = withReads;
    framer.push(b);
    readFields = true;
    return count;
  };
  return {
    bytes: data.bytesPerMessage,
    pass() {
      count = 0;
      const chunks = data.chunks;
      for (let k = 0; k < chunks.length; k++) framer.push(chunks[k]);
      expectCount(count, MESSAGES);
      return count;
    },
    passFirst: (n) => firstN(n, true),
    parseOnlyFirst: (n) => firstN(n, false),
    prepare: (n) => void heapBatches.set(n, data.buf.subarray(0, data.ends[n - 1])),
    sink: () => acc[0],
  };
}

function fixoverMessages(kind: Kind, n: number): Message[] {
  const { msgType, body } = KINDS[kind];
  const out: Message[] = [];
  for (let i = 0; i < n; i++) {
    const m = new Message(msgType);
    m.header.set(8, 'FIX.4.4').set(49, SENDER).set(52, TIME).set(56, TARGET);
    for (const [t, v] of body(i + 1)) m.body.set(t, v);
    out.push(m);
  }
  return out;
}

/** Distinct prepared messages cycled through by the encode cases. */
const PREPARED = 1000;

function fixoverEncode(kind: Kind): Workload {
  const messages = fixoverMessages(kind, PREPARED);
  const encoder = new Encoder();
  let seq = 1;
  let acc = 0;
  const bytes = encoder.encode(messages[0].clone().set(34, 1)).length;
  return {
    bytes,
    pass() {
      for (let i = 0; i < MESSAGES; i++) {
        const m = messages[i % PREPARED];
        m.header.set(34, seq++);
        const out = encoder.encode(m);
        acc += out[out.length - 2];
      }
      return MESSAGES;
    },
    sink: () => acc,
  };
}

// jspurefix types are only needed in its worker; it is loaded lazily so the fixover worker never
// pays for it.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Jsf = typeof import('jspurefix');

interface JspurefixEnv {
  jsf: Jsf;
  config: any;
  container: any;
}

async function jspurefixEnv(): Promise<JspurefixEnv> {
  // jspurefix relies on reflect-metadata (tsyringe), loaded from its own dependencies.
  const req = createRequire(createRequire(import.meta.url).resolve('jspurefix'));
  req('reflect-metadata');
  const jsf: Jsf = await import('jspurefix');
  const sys = new jsf.SessionContainer();
  sys.registerGlobal('error');
  const description = {
    application: { type: 'initiator', name: 'bench', tcp: { host: 'localhost', port: 2344 }, protocol: 'ascii', dictionary: 'qf44' },
    SenderCompId: SENDER,
    TargetCompID: TARGET,
    BeginString: 'FIX.4.4',
    HeartBtInt: 30,
  };
  const container = await sys.makeSystem(description as any);
  const config = container.resolve<any>(jsf.DITokens.IJsFixConfig);
  return { jsf, config, container };
}

function jspurefixDecode(env: JspurefixEnv, kind: Kind): Workload {
  const { jsf, config } = env;
  const data = corpus(kind, MESSAGES);
  const buffer = config.sessionContainer.resolve(jsf.DITokens.ParseBuffer);
  const parser = new jsf.AsciiParser(config, null, buffer, 160 * 1024);
  // A typed array slot: a captured `let` holding a double would allocate on every update.
  const acc = new Float64Array(1);
  let count = 0;
  let readFields = true;
  const readNOS = (v: any): void => {
    acc[0] += v.getString(11).length + v.getString(55).length + v.getString(54).length + (v.getTyped(38) as number) + (v.getTyped(44) as number);
  };
  const readER = (v: any): void => {
    acc[0] += v.getString(37).length + v.getString(17).length + v.getString(150).length + (v.getTyped(14) as number) + (v.getTyped(31) as number);
  };
  const read = kind === 'NOS' ? readNOS : readER;
  parser.on('msg', (_msgType: string, view: any) => {
    if (readFields) read(view);
    count++;
  });
  parser.on('error', (e: Error) => {
    throw e;
  });
  const heapBatches = new Map<number, Buffer>();
  const firstN = (n: number, withReads: boolean): number => {
    const b = heapBatches.get(n)!;
    count = 0;
    readFields = withReads;
    parser.parseBuffer(b);
    readFields = true;
    return count;
  };
  return {
    bytes: data.bytesPerMessage,
    pass() {
      count = 0;
      const chunks = data.chunks;
      for (let k = 0; k < chunks.length; k++) parser.parseBuffer(chunks[k]);
      expectCount(count, MESSAGES);
      return count;
    },
    passFirst: (n) => firstN(n, true),
    parseOnlyFirst: (n) => firstN(n, false),
    prepare: (n) => void heapBatches.set(n, data.buf.subarray(0, data.ends[n - 1])),
    sink: () => acc[0],
  };
}

function jspurefixObject(kind: Kind, i: number): Record<string, unknown> {
  const f = new Map((kind === 'NOS' ? nosBody(i) : erBody(i)).map(([t, v]) => [t, v]));
  const instrument = { Symbol: f.get(55), SecurityExchange: f.get(207) };
  const qty = { OrderQty: Number(f.get(38)) };
  const time = new Date(TIME_MS);
  if (kind === 'NOS') {
    return {
      ClOrdID: f.get(11),
      Account: f.get(1),
      HandlInst: f.get(21),
      Instrument: instrument,
      Side: f.get(54),
      TransactTime: time,
      OrderQtyData: qty,
      OrdType: f.get(40),
      Price: Number(f.get(44)),
      Currency: f.get(15),
      TimeInForce: f.get(59),
    };
  }
  return {
    OrderID: f.get(37),
    ClOrdID: f.get(11),
    ExecID: f.get(17),
    ExecType: f.get(150),
    OrdStatus: f.get(39),
    Account: f.get(1),
    Instrument: instrument,
    Side: f.get(54),
    OrderQtyData: qty,
    OrdType: f.get(40),
    Price: Number(f.get(44)),
    Currency: f.get(15),
    TimeInForce: f.get(59),
    LastQty: Number(f.get(32)),
    LastPx: Number(f.get(31)),
    LastMkt: f.get(30),
    TradingSessionID: f.get(336),
    LeavesQty: Number(f.get(151)),
    CumQty: Number(f.get(14)),
    AvgPx: Number(f.get(6)),
    TradeDate: f.get(75),
    TransactTime: time,
    GrossTradeAmt: Number(f.get(381)),
  };
}

function jspurefixEncode(env: JspurefixEnv, kind: Kind): Workload {
  const { jsf, container } = env;
  const tx = container.resolve(jsf.DITokens.MsgTransmitter);
  tx.time = new Date(TIME_MS);
  const msgType = KINDS[kind].msgType;
  const objects: Record<string, unknown>[] = [];
  for (let i = 0; i < PREPARED; i++) objects.push(jspurefixObject(kind, i + 1));
  const encodeOne = (o: Record<string, unknown>): Buffer => {
    tx.encoder.reset();
    tx.encodeMessage(msgType, o);
    return tx.encoder.trim();
  };
  // Check that jspurefix writes the same fields and values as the fixover messages.
  const sample = new Parser().parse(encodeOne(objects[0]));
  const want = [...header(0), ...KINDS[kind].body(1)].filter(([t]) => t !== 34);
  for (const [t, v] of want) {
    if (sample.get(t) !== v) throw new Error(`jspurefix ${kind}: field ${t} is ${sample.get(t)}, expected ${v}`);
  }
  if (sample.fieldCount !== want.length + 5) throw new Error(`jspurefix ${kind}: ${sample.fieldCount} fields, expected ${want.length + 5}`);
  let acc = 0;
  return {
    bytes: encodeOne(objects[0]).length,
    pass() {
      for (let i = 0; i < MESSAGES; i++) {
        const out = encodeOne(objects[i % PREPARED]);
        acc += out[out.length - 2];
      }
      return MESSAGES;
    },
    sink: () => acc,
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// ---------------------------------------------------------------------------------------------
// Worker: runs the cases of one implementation on request
// ---------------------------------------------------------------------------------------------

type Request = { op: 'warmup' | 'run' | 'heap'; case: CaseName };
interface RunResult {
  msgs: number;
  ms: number;
}
interface HeapResult {
  withReads: number;
  parseOnly: number;
  batch: number;
}
type Reply = { ok: true; value: RunResult | HeapResult | number } | { ok: false; error: string };

const gcTimes: Array<[number, number]> = [];

/** Repeats passes for at least `ms`; returns messages and elapsed time. */
function timed(w: Workload, ms: number): RunResult {
  let msgs = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    msgs += w.pass();
    t = performance.now();
  } while (t - t0 < ms);
  return { msgs, ms: t - t0 };
}

function forceGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
}

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 5));
}

/**
 * Heap growth per message over a batch with GC forced first and none during it: the batch is
 * halved until no collection happens while it runs.
 */
async function heapPerMessage(w: Workload, run: (n: number) => number): Promise<[number, number]> {
  let n = 10_000;
  for (;;) {
    w.prepare?.(n);
    run(n); // the batch itself warmed once
    forceGc();
    await settle();
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const got = run(n);
    const t1 = performance.now();
    const after = process.memoryUsage().heapUsed;
    await settle();
    if (got !== n) throw new Error(`heap batch decoded ${got} of ${n}`);
    const collected = gcTimes.some(([s, e]) => e >= t0 && s <= t1);
    if (!collected || n <= 50) return [(after - before) / n, n];
    n = Math.floor(n / 2);
  }
}

async function worker(impl: Impl): Promise<void> {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcTimes.push([e.startTime, e.startTime + e.duration]);
  }).observe({ entryTypes: ['gc'] });
  const env = impl === 'jspurefix' ? await jspurefixEnv() : undefined;
  const workloads = new Map<CaseName, Workload>();
  const get = (c: CaseName): Workload => {
    let w = workloads.get(c);
    if (!w) {
      const kind = kindOf(c);
      const decode = c.startsWith('decode');
      if (impl === 'fixover') w = decode ? fixoverDecode(kind) : fixoverEncode(kind);
      else w = decode ? jspurefixDecode(env!, kind) : jspurefixEncode(env!, kind);
      workloads.set(c, w);
    }
    return w;
  };
  const send = (r: Reply): void => {
    process.send!(r);
  };
  process.on('message', (req: Request) => {
    void (async () => {
      try {
        const w = get(req.case);
        if (req.op === 'warmup') {
          timed(w, WARMUP_MS);
          send({ ok: true, value: w.bytes });
        } else if (req.op === 'run') {
          forceGc();
          const r = timed(w, MIN_RUN_MS);
          if (!Number.isFinite(w.sink())) throw new Error('sink');
          send({ ok: true, value: r });
        } else {
          const withReads = await heapPerMessage(w, (n) => w.passFirst!(n));
          const parseOnly = await heapPerMessage(w, (n) => w.parseOnlyFirst!(n));
          send({ ok: true, value: { withReads: withReads[0], parseOnly: parseOnly[0], batch: Math.min(withReads[1], parseOnly[1]) } });
        }
      } catch (e) {
        send({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      }
    })();
  });
  send({ ok: true, value: 0 });
}

// ---------------------------------------------------------------------------------------------
// Parent: alternates runs between the two workers and reports
// ---------------------------------------------------------------------------------------------

class WorkerHandle {
  private readonly child: ChildProcess;
  private waiting: ((r: Reply) => void) | undefined;
  readonly ready: Promise<Reply>;

  constructor(readonly impl: Impl) {
    const self = fileURLToPath(import.meta.url);
    this.child = fork(self, ['--worker', impl, ...(QUICK ? ['--quick'] : [])], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (r: Reply) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.(r);
    });
    this.child.on('exit', (code) => {
      if (this.waiting) this.waiting({ ok: false, error: `${impl} worker exited with code ${code}` });
    });
    this.ready = new Promise((resolve) => (this.waiting = resolve));
  }

  async call<T>(req: Request): Promise<T> {
    const reply = await new Promise<Reply>((resolve) => {
      this.waiting = resolve;
      this.child.send(req);
    });
    if (!reply.ok) throw new Error(`${this.impl}: ${reply.error}`);
    return reply.value as T;
  }

  stop(): void {
    this.child.kill();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Row {
  case: CaseName;
  impl: Impl;
  msgPerSec: number;
  ratio: number;
  runs: number[];
  bytes: number;
  heap?: HeapResult;
}

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(
    `fixover codec bench${QUICK ? ' (quick)' : ''}: ${MESSAGES.toLocaleString('en-US')} messages per pass, ` +
      `median of ${RUNS} runs of >= ${MIN_RUN_MS} ms, runs alternated between one process per implementation; node ${process.version}`,
  );
  const workers = IMPLS.map((impl) => new WorkerHandle(impl));
  try {
    for (const w of workers) {
      const r = await w.ready;
      if (!r.ok) throw new Error(r.error);
    }
    const rows: Row[] = [];
    for (const c of CASES) {
      const runs = new Map<Impl, number[]>(IMPLS.map((i) => [i, []]));
      const bytes = new Map<Impl, number>();
      for (const w of workers) bytes.set(w.impl, await w.call<number>({ op: 'warmup', case: c }));
      for (let r = 0; r < RUNS; r++) {
        const order = r % 2 === 0 ? workers : [...workers].reverse();
        for (const w of order) {
          const res = await w.call<RunResult>({ op: 'run', case: c });
          runs.get(w.impl)!.push((res.msgs / res.ms) * 1000);
        }
      }
      const heaps = new Map<Impl, HeapResult>();
      if (c.startsWith('decode')) for (const w of workers) heaps.set(w.impl, await w.call<HeapResult>({ op: 'heap', case: c }));
      const ref = median(runs.get('jspurefix')!);
      for (const impl of IMPLS) {
        const m = median(runs.get(impl)!);
        rows.push({ case: c, impl, msgPerSec: m, ratio: m / ref, runs: runs.get(impl)!, bytes: bytes.get(impl)!, heap: heaps.get(impl) });
      }
    }
    printTable(rows);
    for (const r of rows) {
      const line: Record<string, unknown> = {
        bench: 'codec',
        case: r.case,
        impl: r.impl,
        msgPerSec: Math.round(r.msgPerSec),
        ratio: Number(r.ratio.toFixed(2)),
        bytesPerMsg: r.bytes,
        runs: r.runs.map((x) => Math.round(x)),
      };
      if (r.heap) {
        line.heapBytesPerMsg = Number(r.heap.withReads.toFixed(1));
        line.heapBytesPerMsgParseOnly = Number(r.heap.parseOnly.toFixed(1));
      }
      if (QUICK) line.quick = true;
      console.log(JSON.stringify(line));
    }
    console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    for (const w of workers) w.stop();
  }
}

function printTable(rows: Row[]): void {
  const head = ['case', 'impl', 'bytes', 'msg/s (median)', 'min..max', 'vs jspurefix', 'heap B/msg', 'heap B/msg parse only'];
  const body = rows.map((r) => [
    r.case,
    r.impl,
    String(r.bytes),
    fmtInt(r.msgPerSec),
    `${fmtInt(Math.min(...r.runs))}..${fmtInt(Math.max(...r.runs))}`,
    `${r.ratio.toFixed(2)}x`,
    r.heap ? r.heap.withReads.toFixed(1) : '',
    r.heap ? r.heap.parseOnly.toFixed(1) : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log('');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
  console.log('');
  console.log('decode: frame + parse + read 5 fields (fixover validates BodyLength and CheckSum); encode: from prepared objects, MsgSeqNum set per message');
  console.log('heap B/msg: heap growth per decoded message with no GC during the batch (reads create the strings they return)');
}

const workerAt = args.indexOf('--worker');
if (workerAt >= 0) {
  await worker(args[workerAt + 1] as Impl);
} else {
  await main();
}
