/**
 * A failover client: one initiator session with a list of addresses. It connects to the first
 * that answers and, when the connection is lost, to the next (`SocketConnectURI=failover:(…)`).
 * Every transport event (connecting, connected, lost, failover with its downtime) is printed.
 *
 * Run it (from an app where fixover is installed) against one or more order desks (acceptor.ts),
 * listing their ports; the ones that are down are skipped:
 *   npx tsx node_modules/fixover/examples/failover-client.ts 9880 9881 [--orders N]
 */
import { Engine, Message, describeFailoverEvent, formatUtcTimestamp, settingsFromObject, type Application, type MessageView, type SessionID } from 'fixover';

const args = process.argv.slice(2);
const ordersAt = args.indexOf('--orders');
const orders = ordersAt >= 0 ? Number(args[ordersAt + 1]) : 3;
const ports = args.filter((a, i) => i !== ordersAt && i !== ordersAt + 1);
if (ports.length === 0) ports.push('9880', '9881');
const uri = `failover:(${ports.map((p) => `tcp://127.0.0.1:${p}`).join(',')})?randomize=false&initialReconnectDelay=100&maxReconnectDelay=2000`;

const settings = settingsFromObject({
  default: {
    ConnectionType: 'initiator',
    BeginString: 'FIX.4.4',
    SenderCompID: 'FAILOVER',
    TargetCompID: 'DESK',
    StartTime: '00:00:00',
    EndTime: '00:00:00',
    HeartBtInt: 5,
    SocketConnectURI: uri,
    FileStorePath: `${process.env.FIXOVER_EXAMPLE_DATA ?? 'target'}/failover`,
  },
  sessions: [{}],
});

let filled = 0;
let finish: () => void = () => undefined;
const finished = new Promise<void>((resolve) => (finish = resolve));
const app: Application<SessionID> = {
  fromApp(message: MessageView): void {
    if (message.msgType === '8' && message.getString(39) === '2' && ++filled === orders) finish();
  },
};

const engine = await Engine.fromSettings(settings, app);
const session = [...engine.sessions.values()][0];
session.on('transport', (e) => console.log(`transport: ${describeFailoverEvent(e)}`));
session.on('logout', (reason, text) => console.log(`logged out: ${reason}${text ? ` (${text})` : ''}`));
await engine.start();
await session.loggedOn();
console.log(`logged on via ${session.remoteAddress ?? '?'}`);
for (let i = 1; i <= orders; i++) {
  session.send(new Message('D').set(11, `F${Date.now()}-${i}`).set(55, 'MSFT').set(54, '2').set(38, 10).set(40, '1').set(60, formatUtcTimestamp(Date.now())));
}
const timeout = setTimeout(() => {
  console.error(`${filled} of ${orders} orders filled`);
  process.exit(1);
}, 10_000);
await finished;
clearTimeout(timeout);
console.log(`${filled} orders filled`);
await engine.stop();
