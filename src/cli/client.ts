/**
 * `fixover client <settings> --orders N [--rate R | --window W] [--report FILE]`: a headless
 * order-entry client on the first initiator session of a settings file. It logs on, sends the
 * orders, waits for the fills, writes the JSON report, logs out. Exit 0 when every order was
 * filled exactly once (no unflagged duplicate), 4 otherwise; 1 when it never logs on (gave up
 * reconnecting, or no logon in time), with the report written all the same. SIGINT/SIGTERM stop
 * sending: the orders sent so far are settled and reported.
 */
import { writeFileSync } from 'node:fs';
import { Initiator, type InitiatorEvent } from '../engine/initiator.js';
import { Session } from '../engine/session.js';
import { initiatorSessionFrom, sessionOptionsFrom } from '../engine/from-settings.js';
import { OrderClient, type ClientReport } from '../client/order-client.js';
import { readSettings, storeFor, logFor, printOwnership, printStoreFaults, printFaults, printStoreRepairs } from './run.js';
import { ownershipFor } from '../engine/engine.js';
import { attachLog } from '../log/session-events.js';

export interface ClientCommandOptions {
  orders: number;
  rate?: number;
  window?: number;
  report?: string;
  session?: string;
  settleMs?: number;
  logonTimeoutMs?: number;
  jsonLog?: boolean;
}

export const CLIENT_INCOMPLETE = 4;

export async function clientCommand(file: string, o: ClientCommandOptions): Promise<number> {
  const settings = readSettings(file);
  const candidates = settings.sessions.filter((s) => s.get('ConnectionType')?.toLowerCase() === 'initiator');
  const chosen = o.session ? candidates.find((s) => s.id.toString() === o.session) : candidates[0];
  if (!chosen) throw Object.assign(new Error(`no initiator session${o.session ? ` ${o.session}` : ''} in ${file}`), { exitCode: 2 });
  const record = chosen.toRecord();
  const options = sessionOptionsFrom(record, settings.baseDir);
  const store = await storeFor(record, options.sessionId);
  const box: { client?: OrderClient } = {};
  const session = new Session(
    options,
    store,
    {
    onLogon: (id) => box.client!.application().onLogon!(id),
    onLogout: (id) => box.client!.application().onLogout!(id),
    fromApp: (m, id) => box.client!.application().fromApp!(m, id),
      fromAdmin: (m, id) => box.client!.application().fromAdmin!(m, id),
    },
    ownershipFor(record, options.sessionId),
  );
  printOwnership(session);
  printStoreFaults(session);
  printFaults(session);
  printStoreRepairs(session);
  const log = await logFor(o.jsonLog ?? false)(record, options.sessionId);
  if (log) attachLog(session, log);
  session.reportStoreRepairs();
  box.client = new OrderClient(session, { orders: o.orders, rate: o.rate, window: o.window, settleMs: o.settleMs });
  const initiator = new Initiator([initiatorSessionFrom(record, session)]);
  // Every failover event (disconnected, reconnecting, connected, loggedOn, failover, reconnectFailed, topology, …) goes into the report.
  initiator.on('event', (e) => box.client!.record(e.type, failoverDetail(e)));
  const failed = new Promise<never>((_, reject) =>
    initiator.once('reconnectFailed', (e) => reject(Object.assign(new Error(`gave up reconnecting after ${e.attempts} attempts`), { exitCode: 1 }))),
  );
  failed.catch(() => undefined);
  initiator.start();
  // SIGINT/SIGTERM: no new orders; the fills of those sent are awaited and reported as usual.
  const stop = (): void => box.client!.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let report: ClientReport;
  try {
    try {
      await Promise.race([waitForLogon(session, o.logonTimeoutMs ?? 30_000), failed]);
    } catch (e) {
      // Never logged on (gave up reconnecting, or no logon in time): the report still tells what happened.
      writeReport(box.client.snapshot(), o.report);
      throw e;
    }
    report = await box.client.run();
  } finally {
    await initiator.stop();
    await log?.close();
  }
  writeReport(report, o.report);
  const complete = report.missing === 0 && report.duplicates.unflagged === 0;
  process.stderr.write(`fixover client: ${report.filled}/${report.sent} filled, p50 ${report.latencyUs.p50} µs, p99 ${report.latencyUs.p99} µs\n`);
  return complete ? 0 : CLIENT_INCOMPLETE;
}

function writeReport(report: ClientReport, file: string | undefined): void {
  const text = JSON.stringify(report, null, 2);
  if (file) writeFileSync(file, `${text}\n`);
  else process.stdout.write(`${text}\n`);
}

function waitForLogon(session: Session, ms: number): Promise<void> {
  if (session.isLoggedOn) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(Object.assign(new Error(`no logon within ${ms} ms`), { exitCode: 1 })), ms);
    session.once('logon', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** A failover event for the JSON report: endpoints as their URIs, without the session. */
function failoverDetail(e: InitiatorEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === 'type' || k === 'session' || k === 'at') continue;
    out[k] = v && typeof v === 'object' && 'uri' in v ? (v as { uri: string }).uri : v;
  }
  return out;
}
