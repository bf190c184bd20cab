/**
 * An initiator: logs on to an order desk (see acceptor.ts), sends a few orders, waits for an
 * ExecutionReport for each, logs out and exits (exit code 0 when every order got its report).
 *
 * Run it (from an app where fixover is installed), with the acceptor running:
 *   npx tsx node_modules/fixover/examples/initiator.ts [port] [orders]     (or compile it with tsc)
 */
import { Engine, Message, formatUtcTimestamp, settingsFromObject, type Application, type MessageView, type SessionID } from 'fixover';

const port = Number(process.argv[2] ?? 9880);
const orders = Number(process.argv[3] ?? 5);

const settings = settingsFromObject({
  default: {
    ConnectionType: 'initiator',
    BeginString: 'FIX.4.4',
    SenderCompID: 'CLIENT',
    TargetCompID: 'DESK',
    StartTime: '00:00:00',
    EndTime: '00:00:00',
    HeartBtInt: 30,
    ReconnectInterval: 1,
    // Our sequence numbers survive a restart, as the desk's do.
    FileStorePath: `${process.env.FIXOVER_EXAMPLE_DATA ?? 'target'}/client`,
  },
  sessions: [{ SocketConnectHost: '127.0.0.1', SocketConnectPort: port }],
});

const reports = new Map<string, string>();
let allReported: () => void = () => undefined;
const done = new Promise<void>((resolve) => (allReported = resolve));

const app: Application<SessionID> = {
  fromApp(message: MessageView): void {
    if (message.msgType !== '8') return;
    const status = message.getString(39) === '2' ? 'filled' : `rejected: ${message.has(58) ? message.getString(58) : '?'}`;
    reports.set(message.getString(11), status);
    console.log(`${message.getString(11)} ${status}`);
    if (reports.size === orders) allReported();
  },
};

const engine = await Engine.fromSettings(settings, app);
await engine.start();
const session = [...engine.sessions.values()][0];
// Resolves once the Logon is answered; rejects if the session is stopped first.
await session.loggedOn();
console.log(`logged on as ${session.id.toString()}`);

for (let i = 1; i <= orders; i++) {
  const order = new Message('D')
    .set(11, `C${Date.now()}-${i}`) // ClOrdID
    .set(55, i === orders ? 'XYZ' : 'IBM') // Symbol (the last one is refused by the desk)
    .set(54, '1') // Side: buy
    .set(38, 100 * i) // OrderQty
    .set(40, '2') // OrdType: limit
    .set(44, '101.25') // Price
    .set(60, formatUtcTimestamp(Date.now())); // TransactTime
  // trySend says what became of the message: sent, queued for after the next logon, or refused and why.
  const result = session.trySend(order);
  if (!result.sent) throw new Error(`order ${i} not sent: ${result.text}`);
}

const timeout = setTimeout(() => {
  console.error(`only ${reports.size} of ${orders} reports arrived`);
  process.exit(1);
}, 10_000);
await done;
clearTimeout(timeout);
await engine.stop();
console.log(`${reports.size} reports`);
