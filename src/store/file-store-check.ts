/**
 * The checks a file store makes of its four files against each other when it opens: `.header`
 * records against `.body`, `.body` bytes no record points at, `.seqnums` against the stored
 * messages, `.session`. Each finding becomes a `StoreRepair` saying what is wrong, where, and what
 * repairing it does; the sequence numbers to use follow from them (never lower than the highest
 * stored message plus one).
 *
 * A torn last write is what a crash leaves: one last record or message cut short, or the writes of
 * an unfinished flush (`.body`, `.header`, then `.seqnums`: records and messages at or above the
 * next sender number of a `.seqnums` file that was not written after them). Anything else is damage.
 */
import type { HeaderRecord } from './file-store-format.js';
import type { SeqIndex } from './file-store-index.js';
import type { StoreFiles } from './file-store-load.js';
import type { StoreRepair } from './store-repair.js';

/** Unparsable bytes at the end of `.header`. */
export interface HeaderTail {
  readonly start: number;
  readonly bytes: number;
  /** At most one partial record (a torn write), not damage. */
  readonly torn: boolean;
  /** Complete-looking records among them, and their highest sequence number. */
  readonly records: number;
  readonly maxSeq: number;
}

/** Bytes at the end of `.body` that no kept record points at. */
export interface BodyTail {
  readonly start: number;
  /** Complete FIX messages found there, and their lowest and highest MsgSeqNum. */
  readonly messages: number;
  readonly minSeq: number;
  readonly maxSeq: number;
  /** Bytes that are not a complete message (a torn one, or garbage), after those. */
  readonly unreadable: number;
}

/** What was read from the files, for the checks. */
export interface StoreScan {
  readonly paths: StoreFiles<string>;
  readonly bodySize: number;
  readonly headerFileSize: number;
  readonly index: SeqIndex;
  /** End of the kept records in `.header`. */
  readonly headerEnd: number;
  /** Complete records dropped: the message bytes at the end failed the check, or point past the end of `.body`. */
  readonly damaged: readonly HeaderRecord[];
  readonly pastEnd: readonly HeaderRecord[];
  readonly headerTail: HeaderTail | null;
  readonly bodyTail: BodyTail | null;
  /** `.seqnums` as parsed (null: empty or unreadable), its size and text. */
  readonly seqNums: { sender: number; target: number } | null;
  readonly seqNumsText: string;
  /** `.seqnums` was modified after `.header` and `.body` (by its modification time): not an unfinished flush. */
  readonly seqNumsNewer: boolean;
  /** `.session` could not be read: a new creation time was taken. */
  readonly creationTimeRenewed: Date | null;
}

/** What the checks decided. */
export interface StoreCheck {
  readonly repairs: StoreRepair[];
  readonly nextSender: number;
  readonly nextTarget: number;
  /** `.seqnums` must be written (missing, unreadable or corrected). */
  readonly writeSeqNums: boolean;
  /** `.body` is cut back to this size (bytes no record points at dropped), or null. */
  readonly bodyEnd: number | null;
}

/** `a..b` or `a` for a range of sequence numbers. */
function range(a: number, b: number): string {
  return a === b ? `${a}` : `${a}..${b}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Checks what was read; see the module comment. */
export function checkStore(s: StoreScan): StoreCheck {
  const repairs: StoreRepair[] = [];
  const { paths, seqNums } = s;
  const fresh = s.seqNumsText.length === 0 && s.index.length === 0 && s.headerFileSize === 0 && s.bodySize === 0;
  // Messages at or above this number were never acknowledged by `.seqnums` (written last by a flush).
  const acked = seqNums ? seqNums.sender : s.seqNumsText.length === 0 ? 1 : Infinity;
  const unfinished = (minSeq: number): boolean => !s.seqNumsNewer && minSeq >= acked;

  const bad = [...s.damaged, ...s.pastEnd];
  let highest = s.index.lastSeq;
  for (const r of bad) highest = Math.max(highest, r.seq);
  if (s.headerTail) highest = Math.max(highest, s.headerTail.maxSeq);
  if (s.bodyTail) highest = Math.max(highest, s.bodyTail.maxSeq);

  if (bad.length > 0) {
    const minSeq = Math.min(...bad.map((r) => r.seq));
    const torn = bad.length === 1 || unfinished(minSeq);
    const what: string[] = [];
    if (s.damaged.length > 0) what.push(`${plural(s.damaged.length, 'record')} for message(s) ${range(s.damaged[0].seq, s.damaged[s.damaged.length - 1].seq)} point at bytes of ${paths.body} that are not a complete FIX message`);
    if (s.pastEnd.length > 0) what.push(`${plural(s.pastEnd.length, 'record')} for message(s) ${range(s.pastEnd[0].seq, s.pastEnd[s.pastEnd.length - 1].seq)} point past the end of ${paths.body} (${s.bodySize} bytes)`);
    repairs.push({
      file: paths.header,
      offset: s.headerEnd,
      problem: `${what.join('; ')}${torn ? ' (a torn last write)' : ''}`,
      repair: `${plural(bad.length, 'stored message')} dropped (${range(bad[0].seq, bad[bad.length - 1].seq)}): no longer resendable, a resend request for them gets a gap fill`,
      torn,
    });
  }
  const tail = s.headerTail;
  if (tail) {
    repairs.push({
      file: paths.header,
      offset: tail.start,
      problem: tail.torn ? `${plural(tail.bytes, 'byte')} of a torn last record` : `${plural(tail.bytes, 'byte')} that are not records${tail.records > 0 ? ` (${plural(tail.records, 'record')} up to message ${tail.maxSeq} among them)` : ''}`,
      repair: `cut off at offset ${tail.start}${tail.records > 0 ? `: ${plural(tail.records, 'stored message')} no longer resendable` : ''}`,
      torn: tail.torn,
    });
  }
  const body = s.bodyTail;
  if (body) {
    const torn = body.messages + (body.unreadable > 0 ? 1 : 0) <= 1 || (body.messages > 0 && unfinished(body.minSeq));
    const msgs = body.messages > 0 ? `${plural(body.messages, 'message')} (${range(body.minSeq, body.maxSeq)})` : '';
    const rest = body.unreadable > 0 ? `${plural(body.unreadable, 'byte')} that are not a complete message` : '';
    repairs.push({
      file: paths.body,
      offset: body.start,
      problem: `${[msgs, rest].filter(Boolean).join(' and ')} with no record in ${paths.header}${torn ? ' (a torn last write)' : ''}`,
      repair: `cut off at offset ${body.start}${body.messages > 0 ? `: ${plural(body.messages, 'message')} no longer resendable` : ''}`,
      torn,
    });
  }

  let nextSender = seqNums?.sender ?? 1;
  let nextTarget = seqNums?.target ?? 1;
  let writeSeqNums = seqNums === null;
  const floor = highest + 1;
  if (!seqNums && !fresh) {
    nextSender = Math.max(floor, 1);
    nextTarget = 1;
    const empty = s.seqNumsText.length === 0;
    repairs.push({
      file: paths.seqnums,
      offset: 0,
      problem: empty ? `empty while ${plural(s.index.length, 'message')} are stored` : `unreadable: ${JSON.stringify(s.seqNumsText.slice(0, 40))}`,
      repair: `next outgoing number set to ${nextSender} (past the highest stored message), next incoming to 1 (the peer is asked to resend what it sent)`,
      torn: empty && !s.seqNumsNewer,
    });
  } else if (seqNums && seqNums.sender < floor) {
    const torn = !s.seqNumsNewer || seqNums.sender === highest;
    if (torn) {
      // An unfinished flush: its messages were stored but never acknowledged by `.seqnums`, and a
      // session writes to the socket only after the whole flush, so none of them was sent. Their
      // numbers are used again, as if the flush never happened: the incoming number it would have
      // advanced was not advanced either, so the message that caused them is processed again.
      // Raising the outgoing number instead would leave a gap the counterparty fills with these
      // unsent messages, next to the new answers to the same input.
      repairs.push({
        file: paths.seqnums,
        offset: 0,
        problem: `message(s) ${range(seqNums.sender, highest)} of an unfinished flush are stored but were never acknowledged, so never sent (a torn last write)`,
        repair: `their numbers are used again from ${seqNums.sender}`,
        torn,
      });
    } else {
      repairs.push({
        file: paths.seqnums,
        offset: 0,
        problem: `next outgoing number ${seqNums.sender} is not past the highest stored message ${highest}: sending would reuse sequence numbers`,
        repair: `next outgoing number set to ${floor}`,
        torn,
      });
      nextSender = floor;
      writeSeqNums = true;
    }
  }
  if (s.creationTimeRenewed) {
    repairs.push({ file: paths.session, offset: 0, problem: 'unreadable creation time', repair: `new creation time ${s.creationTimeRenewed.toISOString()}`, torn: true });
  }
  return { repairs, nextSender, nextTarget, writeSeqNums, bodyEnd: body ? body.start : null };
}
