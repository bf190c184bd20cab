/** A test connection: whole FIX frames read from a TCP socket, with timeouts. */
import net from 'node:net';
import { Framer } from '../codec/framer.js';

export type Received = Buffer | 'closed' | 'timeout';

export class TestConnection {
  private readonly frames: Buffer[] = [];
  private readonly waiters: Array<() => void> = [];
  private closed = false;
  private readonly framer = new Framer({
    onFrame: (b, s, e) => {
      this.frames.push(Buffer.from(b.subarray(s, e)));
      this.wake();
    },
    onError: () => undefined,
  });

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.framer.push(d));
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async open(host: string, port: number, timeoutMs: number): Promise<TestConnection> {
    const socket = net.connect(port, host);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`cannot connect to ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(t);
        resolve();
      });
      socket.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
    return new TestConnection(socket);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }

  /** The next whole frame, 'closed' when the engine closed first, or 'timeout'. */
  async next(timeoutMs: number): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.shift();
      if (f) return f;
      if (this.closed) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}
