/**
 * Typed-message benchmark: reading the five fields of the codec benchmark (bench/codec.bench.ts)
 * through the generated FIX.4.4 readers against the raw `MessageView` getters, in the same run.
 *
 *   npm run bench:typed            full run (9 measured runs per case)
 *   npm run bench:typed -- --quick short smoke run
 *
 * Cases, on the codec benchmark's NewOrderSingle and ExecutionReport: a buffer of concatenated
 * messages is framed and parsed (BodyLength and CheckSum checked) and five fields of each read:
 *  - raw: `view.get`, `getChar`, `getNumber` by tag, as the codec benchmark reads them;
 *  - typed: one reader per message type re-pointed at each view (`reader.view = view`), fields
 *    read through its getters (`nos.ClOrdID`, `nos.OrderQty`, ...);
 *  - crack: `fix44.crack(view, handlers)`, the reader handed to the handler of the message type.
 * Each variant runs in a process of its own; runs alternate between them and medians are reported
 * with the ratio to raw (the goal: typed within 10 % of raw).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Framer, Parser, type MessageView } from '../src/codec/index.js';
import * as fix44 from '../src/messages/fix44/index.js';

type Variant = 'raw' | 'typed' | 'crack';
type Kind = 'NOS' | 'ER';
const VARIANTS: readonly Variant[] = ['raw', 'typed', 'crack'];
const KINDS: readonly Kind[] = ['NOS', 'ER'];

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const MESSAGES = QUICK ? 20_000 : 100_000;
const RUNS = QUICK ? 3 : 9;
const MIN_RUN_MS = QUICK ? 60 : 250;
const WARMUP_MS = QUICK ? 150 : 600;
const CHUNK = 64 * 1024;
const TIME = '20261123-06:00:00.123';

function frameOf(msgType: string, fields: Array<[number, string]>): Buffer {
  let body = `35=${msgType}\x01`;
  for (const [t, v] of fields) body += `${t}=${v}\x01`;
  const text = `8=FIX.4.4\x019=${body.length}\x01${body}`;
  let sum = 0;
  for (let k = 0; k < text.length; k++) sum += text.charCodeAt(k);
  return Buffer.from(`${text}10=${String(sum & 0xff).padStart(3, '0')}\x01`, 'latin1');
}

/** The codec benchmark's messages (same fields, same order). */
function message(kind: Kind, i: number): Buffer {
  const id = String(i).padStart(7, '0');
  const head: Array<[number, string]> = [[49, 'SENDERCOMP'], [56, 'TARGETCOMP'], [34, String(i)], [52, TIME]];
  if (kind === 'NOS') {
    return frameOf('D', [...head, [11, `ORD-${id}`], [1, 'ACCT-0001'], [21, '1'], [55, 'IBM'], [207, 'XNYS'], [54, '1'], [60, TIME], [38, '100'], [40, '2'], [44, '123.45'], [15, 'USD'], [59, '0']]);
  }
  return frameOf('8', [
    ...head, [37, `OID-${id}`], [11, `ORD-${id}`], [17, `EXEC-${id}`], [150, 'F'], [39, '2'], [1, 'ACCT-0001'], [55, 'IBM'], [207, 'XNYS'], [54, '1'], [38, '100'],
    [40, '2'], [44, '123.45'], [15, 'USD'], [59, '0'], [32, '100'], [31, '123.45'], [30, 'XNYS'], [336, 'DAY'], [151, '0'], [14, '100'], [6, '123.45'], [75, '20261123'], [60, TIME], [381, '12345'],
  ]);
}

interface Workload {
  pass(): number;
  sink(): number;
}

function workload(variant: Variant, kind: Kind): Workload {
  const buf = Buffer.concat(Array.from({ length: MESSAGES }, (_, i) => message(kind, i + 1)));
  const chunks: Buffer[] = [];
  for (let p = 0; p < buf.length; p += CHUNK) chunks.push(buf.subarray(p, Math.min(buf.length, p + CHUNK)));
  const parser = new Parser({ validateLength: true, validateChecksum: true });
  const acc = new Float64Array(1);
  let count = 0;
  let read: (v: MessageView) => void;
  if (variant === 'raw') {
    read =
      kind === 'NOS'
        ? (v) => void (acc[0] += v.get(11)!.length + v.get(55)!.length + v.getChar(54).length + v.getNumber(38) + v.getNumber(44))
        : (v) => void (acc[0] += v.get(37)!.length + v.get(17)!.length + v.getChar(150).length + v.getNumber(14) + v.getNumber(31));
  } else if (variant === 'typed') {
    // One reader per message type, re-pointed at every view: no allocation per message.
    const first = new Parser().parse(message(kind, 1)).clone();
    if (kind === 'NOS') {
      const nos = fix44.read.NewOrderSingle(first);
      read = (v) => {
        nos.view = v;
        acc[0] += nos.ClOrdID.length + nos.Symbol!.length + nos.Side.length + nos.OrderQty! + nos.Price!;
      };
    } else {
      const er = fix44.read.ExecutionReport(first);
      read = (v) => {
        er.view = v;
        acc[0] += er.OrderID.length + er.ExecID.length + er.ExecType.length + er.CumQty + er.AvgPx;
      };
    }
  } else {
    const handlers: fix44.Handlers = {
      NewOrderSingle: (nos) => void (acc[0] += nos.ClOrdID.length + nos.Symbol!.length + nos.Side.length + nos.OrderQty! + nos.Price!),
      ExecutionReport: (er) => void (acc[0] += er.OrderID.length + er.ExecID.length + er.ExecType.length + er.CumQty + er.AvgPx),
    };
    read = (v) => fix44.crack(v, handlers, undefined);
  }
  const framer = new Framer({
    onFrame(b, start, end) {
      read(parser.parse(b, start, end));
      count++;
    },
    onError(error) {
      throw error;
    },
  });
  return {
    pass() {
      count = 0;
      for (let k = 0; k < chunks.length; k++) framer.push(chunks[k]);
      if (count !== MESSAGES) throw new Error(`decoded ${count} of ${MESSAGES}`);
      return count;
    },
    sink: () => acc[0],
  };
}

function timed(w: Workload, ms: number): { msgs: number; ms: number } {
  let msgs = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    msgs += w.pass();
    t = performance.now();
  } while (t - t0 < ms);
  if (!Number.isFinite(w.sink())) throw new Error('sink');
  return { msgs, ms: t - t0 };
}

type Request = { op: 'warmup' | 'run'; kind: Kind };

function worker(variant: Variant): void {
  const workloads = new Map<Kind, Workload>();
  process.on('message', (req: Request) => {
    try {
      let w = workloads.get(req.kind);
      if (!w) workloads.set(req.kind, (w = workload(variant, req.kind)));
      process.send!({ ok: true, value: timed(w, req.op === 'warmup' ? WARMUP_MS : MIN_RUN_MS) });
    } catch (e) {
      process.send!({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  });
  process.send!({ ok: true });
}

type Reply = { ok: true; value?: { msgs: number; ms: number } } | { ok: false; error: string };

class Child {
  private readonly child: ChildProcess;
  private waiting: ((r: Reply) => void) | undefined;
  readonly ready: Promise<Reply>;
  constructor(readonly variant: Variant) {
    this.child = fork(fileURLToPath(import.meta.url), ['--worker', variant, ...(QUICK ? ['--quick'] : [])], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = new Promise((r) => (this.waiting = r));
    this.child.on('message', (r: Reply) => this.waiting?.(r));
  }
  async call(req: Request): Promise<number> {
    const reply = await new Promise<Reply>((r) => {
      this.waiting = r;
      this.child.send(req);
    });
    if (!reply.ok) throw new Error(reply.error);
    return (reply.value!.msgs / reply.value!.ms) * 1000;
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

async function main(): Promise<void> {
  console.log(`fixover typed-message bench${QUICK ? ' (quick)' : ''}: ${MESSAGES.toLocaleString('en-US')} messages per pass, median of ${RUNS} runs, alternated between one process per variant; node ${process.version}`);
  const children = VARIANTS.map((v) => new Child(v));
  try {
    for (const c of children) {
      const r = await c.ready;
      if (!r.ok) throw new Error(r.error);
    }
    for (const kind of KINDS) {
      for (const c of children) await c.call({ op: 'warmup', kind });
      const runs = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
      for (let r = 0; r < RUNS; r++) {
        for (const c of r % 2 === 0 ? children : [...children].reverse()) runs.get(c.variant)!.push(await c.call({ op: 'run', kind }));
      }
      const raw = median(runs.get('raw')!);
      for (const v of VARIANTS) {
        const m = median(runs.get(v)!);
        console.log(JSON.stringify({ bench: 'typed', case: `decode-${kind}`, variant: v, msgPerSec: Math.round(m), vsRaw: Number((m / raw).toFixed(3)), runs: runs.get(v)!.map(Math.round), ...(QUICK ? { quick: true } : {}) }));
      }
    }
  } finally {
    for (const c of children) c.stop();
  }
}

const at = args.indexOf('--worker');
if (at >= 0) worker(args[at + 1] as Variant);
else await main();
