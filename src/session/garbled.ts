/**
 * What can still be read from a garbled message (bad BodyLength or CheckSum, a field that is not
 * `tag=value`), to answer it with a Reject when `RejectGarbledMessage=Y`: its fields by a lenient
 * scan, the first of each tag; a MsgSeqNum only when it is one a session counts.
 */
import { LAST_MSG_SEQ_NUM } from './session-numbers.js';

/** The fields a Reject of a message refers to: its MsgType, MsgSeqNum and routing fields. */
export interface RejectSubject {
  readonly msgType: string;
  get(tag: number): string | undefined;
}

/** Reads the well-formed `tag=value` fields of a garbled frame; the others are skipped. */
export function garbledSubject(bytes: Buffer): RejectSubject {
  const fields = new Map<number, string>();
  for (const part of bytes.toString('latin1').split('\x01')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || !/^\d+$/.test(part.slice(0, eq))) continue;
    const tag = Number(part.slice(0, eq));
    if (!fields.has(tag)) fields.set(tag, part.slice(eq + 1));
  }
  const seq = fields.get(34);
  if (seq !== undefined && !(/^\d{1,10}$/.test(seq) && Number(seq) >= 1 && Number(seq) <= LAST_MSG_SEQ_NUM)) fields.delete(34);
  return { msgType: fields.get(35) ?? '', get: (tag) => fields.get(tag) };
}
