/**
 * The inbound message rate of one session (`InboundMessageRate`), as a token bucket: pure, the
 * clock is passed in. Up to one second's worth of messages may arrive at once; beyond that each
 * message is a debt repaid at the rate.
 */
import { InvalidOptionError } from '../codec/errors.js';

export class InboundRate {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  /** `rate`: messages per second (> 0); `now`: the clock in milliseconds. */
  constructor(
    readonly rate: number,
    now: number,
  ) {
    if (!(rate > 0)) throw new InvalidOptionError(`inbound message rate must be positive, not ${rate}`);
    this.capacity = Math.max(1, rate);
    this.tokens = this.capacity;
    this.last = now;
  }

  /**
   * Counts one message arriving at `now`. Returns 0 when it is within the rate, else the
   * milliseconds until the debt is repaid (how long to stop reading to get back under the rate).
   */
  take(now: number): number {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
    }
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.rate);
  }

  /** Gives back the message `take` counted last (it was refused, so it does not use the budget). */
  refund(): void {
    this.tokens += 1;
  }
}
