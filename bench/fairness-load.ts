/**
 * Session A's counterparty for the fairness benchmark (a child process, so that its work does not
 * disturb the measuring client): `resend <port> <seq>` logs on and asks for every stored message
 * again, reading until the resend ends; `flood <port> <seq> <seconds>` logs on and sends orders as
 * fast as the socket takes them. Prints `ready` once logged on, starts on SIGUSR2, and prints one
 * line `done <json>` at the end.
 */
import net from 'node:net';
import { once } from 'node:events';
import { Framer } from '../src/codec/framer.js';
import { formatUtcTimestamp } from '../src/codec/values.js';
import { frame } from '../test/codec/helpers.js';

const [mode, portText, seqText, secondsText] = process.argv.slice(2);
const port = Number(portText);
let seq = Number(seqText);


/** MsgSeqNum of a message's text. */
function seqOf(text: string): number {
  const i = text.indexOf('\x0134=');
  return i < 0 ? 0 : parseInt(text.slice(i + 4), 10);
}

const header = (type: string): string => `35=${type}|34=${seq++}|49=A|52=${formatUtcTimestamp(Date.now(), 3)}|56=EXECUTOR|`;

async function main(): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await once(socket, 'connect');
  let received = 0;
  let logonSeq = 0;
  let lastSeq = 0;
  let onFrame: (text: string) => void = () => undefined;
  const framer = new Framer(
    {
      onFrame: (buf, start, end) => {
        received++;
        onFrame(buf.toString('latin1', start, end));
      },
      onError: () => undefined,
    },
    { maxMessageSize: 1 << 20 },
  );
  socket.on('data', (chunk: Buffer) => framer.push(chunk));
  const logon = new Promise<void>((resolve) => {
    onFrame = (text) => {
      if (!text.includes('\x0135=A\x01')) return;
      logonSeq = seqOf(text);
      resolve();
    };
  });
  socket.write(frame(`${header('A')}98=0|108=30|`));
  await logon;
  // Logged on: the measuring process starts its clock, then says go (SIGUSR2).
  const go = once(process, 'SIGUSR2');
  console.log('ready');
  await go;
  const t0 = performance.now();
  if (mode === 'resend') {
    // Everything up to our Logon's answer comes again; the last is the gap fill over that Logon.
    const done = new Promise<void>((resolve) => {
      onFrame = (text) => {
        lastSeq = seqOf(text);
        if (lastSeq >= logonSeq) resolve();
      };
    });
    received = 0;
    socket.write(frame(`${header('2')}7=1|16=0|`));
    await done;
  } else {
    const until = t0 + Number(secondsText) * 1000;
    let sent = 0;
    let id = 0;
    onFrame = () => undefined;
    received = 0;
    while (performance.now() < until) {
      const batch: Buffer[] = [];
      for (let i = 0; i < 100; i++) batch.push(frame(`${header('D')}11=a${++id}|21=1|38=100|40=1|54=1|55=IBM|60=${formatUtcTimestamp(Date.now(), 3)}|`));
      sent += batch.length;
      if (!socket.write(Buffer.concat(batch))) await once(socket, 'drain');
      else await new Promise((r) => setImmediate(r));
    }
    console.log(`done ${JSON.stringify({ sent, received, seconds: (performance.now() - t0) / 1000, nextSeq: seq })}`);
    socket.destroy();
    return;
  }
  console.log(`done ${JSON.stringify({ received, seconds: (performance.now() - t0) / 1000, nextSeq: seq })}`);
  socket.destroy();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
