/**
 * Generators of hostile counterparty traffic, shared by the fuzz tests (test/fuzz) and the long run
 * (`npm run fuzz`): steps a counterparty takes once logged on — messages of every session type with
 * mutated session fields (huge, negative, non-numeric numbers), random tags and values, damaged
 * frames (truncated, bytes flipped, wrong BodyLength or CheckSum, split, duplicated), random bytes,
 * out-of-order sequence numbers, clock jumps and reconnects — and the peer that turns them into bytes.
 */
import fc from 'fast-check';
import { formatUtcTimestamp } from '../../src/codec/index.js';

/** Numbers as a counterparty may write them: plausible, at the limits, beyond them, not numbers at all. */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 40 }).map(String) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '0', '-1', '2147483647', '2147483648', '4294967295', '4294967296', '9007199254740991', '9007199254740993',
      '99999999999999999999', '-99999999999999999999', '1e3', '+5', ' 7', '7 ', '1.5', '0x10', '00000000000000000001',
      '-0', 'NaN', 'Infinity', 'abc', '',
    ),
  },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String) },
  { weight: 1, arbitrary: fc.stringMatching(/^-?[0-9]{1,25}$/) },
);

/** Any field value: numbers, Y/N flags, timestamps good and bad, short strings (SOH included now and then). */
export const valueText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: numberText },
  { weight: 1, arbitrary: fc.constantFrom('Y', 'N', 'y', '', 'YY') },
  { weight: 1, arbitrary: fc.constantFrom('20261123-12:00:00.000', '20261123-12:00:00', '19700101-00:00:00', '99991231-23:59:59.999999999', '20261323-25:61:61', 'yesterday') },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8, unit: 'binary-ascii' }) },
);

/** Session-level tags (header, admin messages) that carry numbers, flags and times. */
export const SESSION_TAGS = [7, 16, 34, 36, 43, 45, 52, 58, 98, 108, 112, 122, 123, 141, 369, 371, 372, 373, 383, 789, 1128, 1137] as const;

const tag: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SESSION_TAGS) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 1000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 8, 9, 10, 35, 49, 56, 2147483648, 99999999999) },
);

/** MsgSeqNum choice: the peer's next number, one off it (too low, too high, a gap) or any text. */
export type SeqChoice = { readonly mode: 'next' } | { readonly mode: 'offset'; readonly by: number } | { readonly mode: 'text'; readonly text: string };

/** Damage done to a well-built frame. */
export type Mutation =
  | { readonly kind: 'none' }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'flip'; readonly at: number; readonly byte: number }
  | { readonly kind: 'length'; readonly delta: number }
  | { readonly kind: 'checksum' }
  | { readonly kind: 'split'; readonly at: number }
  | { readonly kind: 'twice' };

/** One thing the counterparty does. */
export type FuzzStep =
  | {
      readonly kind: 'message';
      readonly msgType: string;
      readonly seq: SeqChoice;
      readonly possDup: boolean;
      /** SendingTime offset from the clock (ms), or a text. */
      readonly time: number | string;
      /** Fields added after the type's own (they may repeat or contradict them). */
      readonly extra: ReadonlyArray<readonly [number, string]>;
      /** Replace the type's own numbers by these texts (by position). */
      readonly numbers: readonly string[];
      readonly mutation: Mutation;
      /** Sent this many times (each with its own MsgSeqNum when `seq` is next). */
      readonly repeat: number;
    }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'clock'; readonly ms: number }
  | { readonly kind: 'reconnect'; readonly reset: boolean }
  /** The application on the engine's side sends an order-like message. */
  | { readonly kind: 'app-send' };

const seqChoice: fc.Arbitrary<SeqChoice> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ mode: 'next' } as const) },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 30 }).map((by) => ({ mode: 'offset', by }) as const) },
  { weight: 1, arbitrary: numberText.map((text) => ({ mode: 'text', text }) as const) },
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 10, arbitrary: fc.constant({ kind: 'none' } as const) },
  { weight: 1, arbitrary: fc.nat(400).map((at) => ({ kind: 'truncate', at }) as const) },
  { weight: 1, arbitrary: fc.record({ at: fc.nat(400), byte: fc.nat(255) }).map((r) => ({ kind: 'flip', ...r }) as const) },
  { weight: 1, arbitrary: fc.integer({ min: -20, max: 20 }).map((delta) => ({ kind: 'length', delta }) as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'checksum' } as const) },
  { weight: 1, arbitrary: fc.nat(400).map((at) => ({ kind: 'split', at }) as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'twice' } as const) },
);

const messageStep: fc.Arbitrary<FuzzStep> = fc.record({
  kind: fc.constant('message' as const),
  msgType: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('0', '1', '2', '3', '4', '4', '5', 'A', 'D', 'D', 'D', 'j') },
    { weight: 1, arbitrary: fc.constantFrom('', 'Z', 'AA', '8', 'XX', 'B') },
  ),
  seq: seqChoice,
  possDup: fc.boolean(),
  time: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -400_000, max: 400_000 }) }, { weight: 1, arbitrary: valueText }),
  extra: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(tag, valueText), { maxLength: 4 }) }),
  numbers: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(numberText, { maxLength: 3 }) }),
  mutation,
  repeat: fc.oneof({ weight: 12, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.integer({ min: 2, max: 60 }) }, { weight: 1, arbitrary: fc.integer({ min: 100, max: 400 }) }),
});

/** One counterparty step; messages dominate. */
export const fuzzStep: fc.Arbitrary<FuzzStep> = fc.oneof(
  { weight: 20, arbitrary: messageStep },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ kind: 'bytes', bytes }) as const) },
  { weight: 2, arbitrary: fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: -86_400_000, max: 86_400_000 })).map((ms) => ({ kind: 'clock', ms }) as const) },
  { weight: 1, arbitrary: fc.boolean().map((reset) => ({ kind: 'reconnect', reset }) as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'app-send' } as const) },
);

/** A counterparty's session: a series of steps. */
export const fuzzSteps = (maxLength = 40): fc.Arbitrary<FuzzStep[]> => fc.array(fuzzStep, { minLength: 1, maxLength });

/** Builds a frame from `|` text: BeginString, BodyLength and CheckSum added. */
export function frameOf(beginString: string, body: string): Buffer {
  const b = Buffer.from(body.replace(/\|/g, '\x01'), 'latin1');
  const head = Buffer.from(`8=${beginString}\x019=${b.length}\x01`, 'latin1');
  let sum = 0;
  for (const x of head) sum += x;
  for (const x of b) sum += x;
  return Buffer.concat([head, b, Buffer.from(`10=${String(sum & 0xff).padStart(3, '0')}\x01`, 'latin1')]);
}

/**
 * The counterparty: turns steps into the chunks of bytes to deliver, keeping its own MsgSeqNum.
 * The engine side is `target` talking to `sender` (the peer's CompIDs are the other way round).
 */
export class FuzzPeer {
  /** The peer's next MsgSeqNum. */
  seq = 1;
  /** Messages rendered so far (a repeated message counts each time). */
  messages = 0;
  private orders = 0;

  constructor(
    readonly beginString: string,
    readonly sender: string,
    readonly target: string,
  ) {}

  /** A Logon (ResetSeqNumFlag=Y starts both sides at 1). */
  logon(reset: boolean, now: number): Buffer {
    if (reset) this.seq = 1;
    this.messages++;
    return frameOf(this.beginString, `35=A|${this.header(this.seq++, now)}98=0|108=30|${reset ? '141=Y|' : ''}`);
  }

  /** A NewOrderSingle with a fresh ClOrdID. */
  order(now: number): Buffer {
    this.messages++;
    return frameOf(this.beginString, `35=D|${this.header(this.seq++, now)}${orderFields(`o${++this.orders}`, now)}`);
  }

  /** The chunks a message step delivers, in order (empty for other steps). */
  render(step: FuzzStep, now: number): Buffer[] {
    if (step.kind === 'bytes') return [Buffer.from(step.bytes)];
    if (step.kind !== 'message') return [];
    const out: Buffer[] = [];
    for (let i = 0; i < step.repeat; i++) {
      this.messages++;
      let seqText: string;
      if (step.seq.mode === 'next') seqText = String(this.seq++);
      else if (step.seq.mode === 'offset') seqText = String(Math.max(0, this.seq + step.seq.by));
      else seqText = step.seq.text;
      const time = typeof step.time === 'number' ? formatUtcTimestamp(Math.max(0, now + step.time), 3) : step.time;
      const dup = step.possDup ? `43=Y|122=${formatUtcTimestamp(Math.max(0, now - 1000), 3)}|` : '';
      let body = `35=${step.msgType}|34=${seqText}|49=${this.sender}|52=${time}|56=${this.target}|${dup}`;
      body += typeFields(step.msgType, this.seq, step.numbers, now, this.orders++);
      for (const [t, v] of step.extra) body += `${t}=${v}|`;
      out.push(...damage(frameOf(this.beginString, body), step.mutation, this.beginString));
    }
    return out;
  }

  private header(seq: number, now: number): string {
    return `34=${seq}|49=${this.sender}|52=${formatUtcTimestamp(now, 3)}|56=${this.target}|`;
  }
}

/** A NewOrderSingle's body fields (FIX 4.2 to 4.4). */
export const orderFields = (clOrdId: string, now: number): string => `11=${clOrdId}|21=1|55=IBM|54=1|60=${formatUtcTimestamp(now, 3)}|38=100|40=2|44=10.5|`;

/** The fields of a message type, its numbers plausible unless `numbers` replaces them. */
function typeFields(msgType: string, seq: number, numbers: readonly string[], now: number, n: number): string {
  const num = (i: number, dflt: number): string => numbers[i] ?? String(dflt);
  switch (msgType) {
    case 'A':
      return `98=0|108=${num(0, 30)}|`;
    case '1':
      return `112=${num(0, n)}|`;
    case '2':
      return `7=${num(0, Math.max(1, seq - 3))}|16=${num(1, 0)}|`;
    case '3':
      return `45=${num(0, Math.max(1, seq - 1))}|58=fuzz|`;
    case '4':
      return numbers.length % 2 === 0 ? `123=Y|36=${num(0, seq + 1)}|` : `36=${num(0, seq + 5)}|`;
    case '5':
      return '58=bye|';
    case 'D':
      return orderFields(`f${n}`, now);
    case 'j':
      return `45=${num(0, 1)}|372=D|380=${num(1, 0)}|`;
    default:
      return numbers.map((v, i) => `${5000 + i}=${v}|`).join('');
  }
}

/** A frame after `m`: one or more chunks (a split frame arrives in two). */
function damage(frame: Buffer, m: Mutation, beginString: string): Buffer[] {
  switch (m.kind) {
    case 'none':
      return [frame];
    case 'truncate':
      return [frame.subarray(0, m.at % frame.length)];
    case 'flip': {
      const b = Buffer.from(frame);
      b[m.at % b.length] = m.byte;
      return [b];
    }
    case 'length': {
      // Rewrites BodyLength, CheckSum left as it was.
      const text = frame.toString('latin1');
      const start = text.indexOf('\x019=') + 3;
      const end = text.indexOf('\x01', start);
      const len = Number(text.slice(start, end)) + m.delta;
      return [Buffer.from(`8=${beginString}\x019=${len}${text.slice(end)}`, 'latin1')];
    }
    case 'checksum': {
      const b = Buffer.from(frame);
      b[b.length - 2] = b[b.length - 2] === 0x30 ? 0x31 : 0x30;
      return [b];
    }
    case 'split': {
      const at = m.at % frame.length;
      return [frame.subarray(0, at), frame.subarray(at)];
    }
    case 'twice':
      return [frame, frame];
  }
}
