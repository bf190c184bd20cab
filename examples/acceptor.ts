/**
 * An acceptor with business logic: a small order desk for FIX 4.4 clients.
 *
 * - A NewOrderSingle for a listed symbol, up to 1,000 shares, is filled at its limit price.
 * - Anything else (unknown symbol, too large, no price on a limit order) gets an ExecutionReport
 *   with OrdStatus=Rejected and a Text saying why.
 * - Other application messages are answered with a BusinessMessageReject by the engine
 *   (the application throws UnsupportedMessageType).
 *
 * Run it (from an app where fixover is installed):
 *   npx tsx node_modules/fixover/examples/acceptor.ts [port]     (or compile it with tsc)
 * It listens on `port` (default 9880; 0 picks a free one) and prints `listening on <port>`.
 * Stop it with Ctrl-C: sessions log out and stores are flushed.
 */
import { Engine, Message, UnsupportedMessageType, formatUtcTimestamp, settingsFromObject, type Application, type EngineSender, type MessageView, type SessionID } from 'fixover';

const port = Number(process.argv[2] ?? 9880);
const MAX_QTY = 1000;
const SYMBOLS = new Set(['AAPL', 'MSFT', 'IBM']);

const settings = settingsFromObject({
  default: {
    ConnectionType: 'acceptor',
    BeginString: 'FIX.4.4',
    SenderCompID: 'DESK',
    StartTime: '00:00:00',
    EndTime: '00:00:00',
    HeartBtInt: 30,
    // Sequence numbers and sent messages survive a restart (the folder is created when missing).
    FileStorePath: `${process.env.FIXOVER_EXAMPLE_DATA ?? 'target'}/desk`,
    SocketAcceptPort: 9880,
  },
  // One session per client: initiator.ts logs on as CLIENT, failover-client.ts as FAILOVER.
  sessions: [{ TargetCompID: 'CLIENT' }, { TargetCompID: 'FAILOVER' }],
});

/** The desk: fills or rejects each order. `sender` is the engine, to send the reports. */
function desk(sender: EngineSender): Application<SessionID> {
  let orderId = 0;
  let execId = 0;
  const report = (order: MessageView, status: 'filled' | 'rejected', text?: string): Message => {
    const qty = order.has(38) ? order.getDecimal(38) : '0';
    const price = order.has(44) ? order.getDecimal(44) : '0';
    const filled = status === 'filled';
    const er = new Message('8')
      .set(37, `O${++orderId}`) // OrderID
      .set(17, `E${++execId}`) // ExecID
      .set(11, order.getString(11)) // ClOrdID
      .set(55, order.getString(55)) // Symbol
      .set(54, order.getString(54)) // Side
      .set(150, filled ? 'F' : '8') // ExecType: trade or rejected
      .set(39, filled ? '2' : '8') // OrdStatus: filled or rejected
      .set(38, qty) // OrderQty
      .set(14, filled ? qty : '0') // CumQty
      .set(151, '0') // LeavesQty
      .set(6, filled ? price : '0') // AvgPx
      .set(60, formatUtcTimestamp(Date.now())); // TransactTime
    if (filled) er.set(32, qty).set(31, price); // LastQty, LastPx
    if (text) er.set(58, text);
    return er;
  };
  return {
    onLogon: (id) => console.log(`logon ${id.toString()}`),
    onLogout: (id) => console.log(`logout ${id.toString()}`),
    fromApp(message: MessageView, id: SessionID): void {
      if (message.msgType !== 'D') throw new UnsupportedMessageType();
      const symbol = message.getString(55);
      const qty = Number(message.has(38) ? message.getDecimal(38) : '0');
      let why: string | undefined;
      if (!SYMBOLS.has(symbol)) why = `unknown symbol ${symbol}`;
      else if (!(qty > 0 && qty <= MAX_QTY)) why = `quantity ${qty} outside 1-${MAX_QTY}`;
      else if (message.getString(40) === '2' && !message.has(44)) why = 'limit order without a price';
      const result = sender.send(report(message, why ? 'rejected' : 'filled', why), id);
      if (!result) console.error(`report for ${message.getString(11)} not sent: ${id.toString()} is not logged on`);
    },
  };
}

// listenPort overrides SocketAcceptPort (0: any free port).
const engine = await Engine.fromSettings(settings, desk, { listenPort: port });
const [listening] = await engine.start();
console.log(`listening on ${listening}`);

const stop = async (): Promise<void> => {
  await engine.stop();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
