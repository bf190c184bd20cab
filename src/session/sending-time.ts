/**
 * SendingTime text for outgoing messages. The date and time of day are formatted once per second
 * and the fraction appended, instead of formatting the whole timestamp for every message.
 */
import { formatUtcTimestamp, type TimestampPrecision } from '../codec/values.js';

const ZEROS = ['', '', '', '', '000', '', '', '000000'];
/** '000' to '999' (made once: no string per message, nothing added to V8's number-string cache). */
const MILLIS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

export class SendingTimeFormatter {
  private second = Number.NaN;
  private prefix = '';

  constructor(private readonly precision: TimestampPrecision) {}

  /** The same text as `formatUtcTimestamp(millis, precision)`. */
  format(millis: number): string {
    const whole = Math.floor(millis);
    const second = Math.floor(whole / 1000);
    if (second !== this.second) {
      this.second = second;
      this.prefix = formatUtcTimestamp(second * 1000, 0);
    }
    const precision = this.precision;
    if (precision === 0) return this.prefix;
    const ms = whole - second * 1000;
    const fraction = MILLIS[ms];
    return precision === 3 ? `${this.prefix}.${fraction}` : `${this.prefix}.${fraction}${ZEROS[precision - 2]}`;
  }
}
