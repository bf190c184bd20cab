/**
 * The range of sequence numbers, one limit for the stores and the session: QuickFIX's `.seqnums`
 * file has ten digits per number and its engines count in 32 bits, so a store holds a next sender
 * or target number from 1 to `MAX_SEQ_NUM`.
 */
import { StoreError } from './store-error.js';

/** The largest next sender or target sequence number a store holds (2^32 - 1). */
export const MAX_SEQ_NUM = 0xffff_ffff;

/** A store was handed a sequence number outside 1..MAX_SEQ_NUM (a bug of its caller: nothing was written). */
export class InvalidSeqNumError extends StoreError {
  constructor(
    readonly seq: number,
    /** The largest number valid where it was given. */
    readonly max: number = MAX_SEQ_NUM,
  ) {
    super(`invalid sequence number ${seq}: valid numbers run from 1 to ${max}`);
  }
}

/** Returns `seq` when it is an integer in 1..MAX_SEQ_NUM; else throws InvalidSeqNumError. */
export function checkSeqNum(seq: number): number {
  if (!Number.isInteger(seq) || seq < 1 || seq > MAX_SEQ_NUM) throw new InvalidSeqNumError(seq);
  return seq;
}

/**
 * Returns `seq` when a stored outgoing message may carry it: 1..MAX_SEQ_NUM - 1, since storing it
 * sets the next sender number to `seq + 1`. Else throws InvalidSeqNumError.
 */
export function checkStoredSeqNum(seq: number): number {
  if (!Number.isInteger(seq) || seq < 1 || seq >= MAX_SEQ_NUM) throw new InvalidSeqNumError(seq, MAX_SEQ_NUM - 1);
  return seq;
}
