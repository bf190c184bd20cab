/**
 * The ranges of the numbers a counterparty sends in session-level fields, and the texts that say
 * why a value is refused. Sequence numbers share the stores' limit (MAX_SEQ_NUM).
 */
import { MAX_SEQ_NUM } from '../store/seq-num.js';

/**
 * The highest MsgSeqNum a session counts, sent or received: once a message with it is counted, the
 * next number is MAX_SEQ_NUM, the largest a store holds. Past it the sequence must be reset.
 */
export const LAST_MSG_SEQ_NUM = MAX_SEQ_NUM - 1;

/** The largest HeartBtInt(108) accepted in a Logon, in seconds (QuickFIX's 32-bit int). */
export const MAX_HEART_BT_INT = 0x7fff_ffff;

/** The value of a field as the counterparty wrote it, for an error text. */
function shown(text: string | undefined): string {
  return text === undefined ? '(missing)' : /^-?\d+$/.test(text) ? text : `'${text}'`;
}

/** Why a MsgSeqNum(34) is refused: not a number, or past LAST_MSG_SEQ_NUM. */
export function msgSeqNumText(text: string | undefined): string {
  const what = /^-?\d+$/.test(text ?? '') ? 'is out of range' : 'is not a number';
  return `MsgSeqNum(34) ${shown(text)} ${what}: sequence numbers run from 1 to ${LAST_MSG_SEQ_NUM}; past that the session must be reset (ResetSeqNumFlag=Y)`;
}

/** Why a HeartBtInt(108) in a Logon is refused. */
export function heartBtIntText(text: string | undefined): string {
  return `HeartBtInt(108) ${shown(text)} is not valid: expected a whole number of seconds from 0 to ${MAX_HEART_BT_INT}`;
}

/** Why a field holding a sequence number (BeginSeqNo, EndSeqNo, NewSeqNo, NextExpectedMsgSeqNum) is refused. */
export function seqFieldText(name: string, tag: number, text: string | undefined, min: number, max: number): string {
  return `${name}(${tag}) ${shown(text)} is not valid: expected a sequence number from ${min} to ${max}`;
}

/** Why this session sends nothing more: its next MsgSeqNum would pass LAST_MSG_SEQ_NUM. */
export const SEQ_NUMS_EXHAUSTED_TEXT = `Sequence numbers exhausted: the next MsgSeqNum would pass ${LAST_MSG_SEQ_NUM}; the session must be reset (ResetSeqNumFlag=Y)`;
