/**
 * A counterparty played by a test over a real socket: frames built from `|` text with the header
 * filled in (MsgSeqNum counted), frames read back as `|` text.
 */
import net from 'node:net';
import { once } from 'node:events';
import { Framer, formatUtcTimestamp } from '../../src/codec/index.js';
import { frame } from '../codec/helpers.js';

export class FixPeer {
  /** The next MsgSeqNum `send` uses. */
  seq = 1;
  private readonly frames: string[] = [];
  private constructor(
    readonly socket: net.Socket,
    readonly beginString: string,
    readonly sender: string,
    readonly target: string,
  ) {
    const framer = new Framer({ onFrame: (b, s, e) => void this.frames.push(b.toString('latin1', s, e).split('\x01').join('|')), onError: () => undefined });
    socket.on('data', (c: Buffer) => framer.push(c));
  }

  /** Connects to 127.0.0.1:`port` as `sender` talking to `target`. */
  static async connect(port: number, beginString: string, sender: string, target: string): Promise<FixPeer> {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    return new FixPeer(socket, beginString, sender, target);
  }

  /** Sends `35=X|...` with 34 (the next number unless `seq` is given), 49, 52 and 56 added after MsgType. */
  send(body: string, seq?: number): this {
    const [first, ...rest] = body.split('|');
    const n = seq ?? this.seq++;
    const text = `${first}|34=${n}|49=${this.sender}|52=${formatUtcTimestamp(Date.now(), 3)}|56=${this.target}|${rest.join('|')}`;
    this.socket.write(frame(text, this.beginString));
    return this;
  }

  /** The next message matching `re` (others are skipped), as `|` text; throws after `ms`. */
  async waitFor(re: RegExp, ms = 5000): Promise<string> {
    const t0 = Date.now();
    for (;;) {
      const i = this.frames.findIndex((f) => re.test(f));
      if (i >= 0) return this.frames.splice(0, i + 1)[i];
      if (Date.now() - t0 > ms) throw new Error(`no message matching ${re} within ${ms} ms; got: ${this.frames.join('\n')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Drops the messages read so far. */
  clear(): void {
    this.frames.length = 0;
  }

  /** Resolves true once the socket is closed (false after `ms`). */
  closed(ms = 5000): Promise<boolean> {
    const s = this.socket;
    return new Promise((resolve) => {
      if (s.destroyed || s.readableEnded) return resolve(true);
      const t = setTimeout(() => resolve(false), ms);
      s.once('close', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A NewOrderSingle body (FIX 4.2 to 4.4) with ClOrdID `id`. */
export const newOrder = (id: string): string => `35=D|11=${id}|21=1|55=IBM|54=1|60=${formatUtcTimestamp(Date.now(), 3)}|38=100|40=2|44=10.5|`;
