/**
 * Each session's share of work per event-loop turn: at most so many received bytes are handled
 * per turn, the rest waits for the next one (the socket is paused meanwhile), so a counterparty
 * flooding one session cannot starve the others of the process.
 */
import { InvalidOptionError } from '../codec/errors.js';

let turn = 0;
let turnScheduled = false;

function nextTurn(): void {
  turn++;
  turnScheduled = false;
}

/** The current event-loop turn's number (a turn that reads anything schedules the next number). */
function currentTurn(): number {
  if (!turnScheduled) {
    turnScheduled = true;
    setImmediate(nextTurn);
  }
  return turn;
}

/** Default share: 8 KiB a turn (about 50 orders; the replies to a read still go out in one write). */
export const DEFAULT_BYTES_PER_TURN = 8 * 1024;

/** One session's budget of received bytes per event-loop turn. */
export class ReadShare {
  private turn = -1;
  private used = 0;

  constructor(readonly bytesPerTurn: number = DEFAULT_BYTES_PER_TURN) {
    if (!(bytesPerTurn > 0)) throw new InvalidOptionError(`bytes per turn must be positive, not ${bytesPerTurn}`);
  }

  /** How many of `length` bytes read now may be handled in this turn (the rest waits for the next). */
  allow(length: number): number {
    const t = currentTurn();
    if (t !== this.turn) {
      this.turn = t;
      this.used = 0;
    }
    const n = Math.min(length, this.bytesPerTurn - this.used);
    this.used += n;
    return n;
  }
}
