/**
 * `fixover run <settings> --app <name>`: every session of a QuickFIX settings file, acceptors and
 * initiators as ConnectionType says, with a built-in application. Stops cleanly on SIGINT/SIGTERM:
 * sessions log out, stores and logs are flushed.
 */
import { existsSync } from 'node:fs';
import { loadSettings, formatProblem, SettingsError, type Settings } from '../config/index.js';
import { Engine, settingsRecords, type EngineSender } from '../engine/engine.js';
import { acceptanceApplication, executorApplication, logApplication } from '../apps/index.js';
import type { Application } from '../session/actions.js';
import type { Session } from '../engine/session.js';
import type { SessionID } from '../session/session-id.js';
import type { Acceptor } from '../engine/acceptor.js';
import { AdminServer } from '../admin/server.js';
import { adminOptionsFrom } from '../admin/from-settings.js';
import { ClusterNode } from '../cluster/node.js';
import { formatRepair } from '../store/store-repair.js';
import { describeClusterEvent } from '../cluster/events.js';

export const APPS: Record<string, (sender: EngineSender) => Application<SessionID>> = {
  executor: (sender) => executorApplication({ send: (m, id) => void sender.send(m, id) }),
  acceptance: (sender) =>
    acceptanceApplication(
      { send: (m, id) => void sender.send(m, id) },
      // Each session's SessionBehaviour (QuickFIX/J's leaves empty repeating groups out of the echo).
      { behaviourOf: (id) => (sender instanceof Engine ? sender.session(id).core.options.behaviour : undefined) },
    ),
  log: () => logApplication(),
};

/** Reads settings, printing notices and warnings; a SettingsError is printed and rethrown. */
export function readSettings(file: string): Settings {
  try {
    const settings = loadSettings(file);
    for (const p of settings.problems) process.stderr.write(`${formatProblem(p)}\n`);
    return settings;
  } catch (e) {
    if (e instanceof SettingsError) {
      for (const p of e.problems) process.stderr.write(`${formatProblem(p)}\n`);
      process.stderr.write(`fixover: ${file}: refusing to start with ${e.problems.filter((p) => p.severity === 'error').length} error(s)\n`);
    }
    throw e;
  }
}

export { storeFor, logFor, recoveryPolicyFrom } from '../engine/settings-resources.js';
import { storeFor, logFor } from '../engine/settings-resources.js';

export interface RunOptions {
  app: string;
  jsonLog?: boolean;
  /** Folder that relative FileStorePath / FileLogPath resolve from (default: the working directory). */
  dataDir?: string;
  /** Listen on this port instead of the settings' SocketAcceptPort (0: any free port). */
  listenPort?: number;
  /** Told of each session as it is created (to attach printers before it reports anything). */
  onSession?: (session: Session) => void;
}

/** Starts an engine from a settings file, its cluster membership when the settings ask for one, and its HTTP interface when `HttpAcceptPort` is set. */
export async function startEngine(file: string, options: RunOptions): Promise<{ engine: Engine; ports: number[]; cluster?: ClusterNode; admin?: AdminServer }> {
  if (!existsSync(file)) throw Object.assign(new Error(`settings file not found: ${file}`), { exitCode: 2 });
  const app = APPS[options.app];
  if (!app) throw Object.assign(new Error(`unknown --app ${options.app}: expected one of ${Object.keys(APPS).join(', ')}`), { exitCode: 2 });
  let settings: Settings;
  try {
    settings = readSettings(file);
  } catch (e) {
    throw Object.assign(e as Error, { exitCode: 2, printed: true });
  }
  const records = settingsRecords(settings, options);
  const adminOptions = adminOptionsFrom(records, settings.baseDir);
  const engine = await Engine.create(records, app, { store: storeFor, log: logFor(options.jsonLog ?? false), baseDir: settings.baseDir, onSession: options.onSession });
  const ports = await engine.start();
  let cluster: ClusterNode | undefined;
  try {
    cluster = ClusterNode.fromSettings(engine, records, ports, settings.baseDir);
    if (cluster) {
      cluster.on('event', (e) => process.stdout.write(`fixover: cluster ${cluster!.config.cluster}: node ${cluster!.config.node}: ${describeClusterEvent(e)}\n`));
      await cluster.start();
      const member = cluster;
      // The admin interface's node drain (Engine.drain) drains through the cluster: sessions move, not log out.
      engine.drainer = async () => void (await member.drain());
    }
  } catch (e) {
    await engine.stop();
    throw Object.assign(e as Error, { exitCode: 2 });
  }
  if (!adminOptions) return { engine, ports, cluster };
  try {
    const admin = await AdminServer.start(engine, { ...adminOptions, cluster });
    return { engine, ports, cluster, admin };
  } catch (e) {
    await cluster?.stop();
    await engine.stop();
    const why = e instanceof Error ? e.message : String(e);
    throw Object.assign(new Error(`HttpAcceptPort: cannot listen on ${adminOptions.host}:${adminOptions.port}: ${why}`), { exitCode: 1 });
  }
}

/** Prints a session's ownership changes on standard output (node, session, epoch). */
export function printOwnership(session: Session): void {
  session.on('ownership', (e) => {
    const who = e.state === 'refused' || (e.state === 'lost' && e.owner) ? `; owner: node ${e.owner}` : '';
    process.stdout.write(`fixover: node ${e.node}: ${session.id.toString()} ownership ${e.state}, epoch ${e.epoch}${who}${e.reason && (e.state === 'lost' || e.state === 'failed') ? ` (${e.reason})` : ''}\n`);
  });
}

/** Prints why a store failure stopped a session (the session serves again once the store works). */
export function printStoreFaults(session: Session): void {
  session.on('storeFault', (e) => {
    const what = e.action === 'refused' ? 'connection refused' : 'connection dropped';
    process.stdout.write(`fixover: ${session.id.toString()} store failed, ${what}: ${e.reason}\n`);
  });
}

/** Prints why a session's connection ended (the counterparty stopped reading, logged out, timed out, closed…). */
export function printDisconnects(session: Session): void {
  session.on('disconnected', (reason) => process.stdout.write(`fixover: ${session.id.toString()} disconnected: ${reason}\n`));
}

/** Seconds between two lines about connections shed while a flood goes on. */
const SHED_REPORT_INTERVAL_MS = 10_000;

/**
 * Prints that an acceptor sheds connections waiting for a logon (`MaxPendingLogons`,
 * `MaxPendingLogonsPerAddress`): at the first, then at most one line per 10 s with the count so far.
 */
export function printShedding(acceptor: Acceptor, now: () => number = Date.now): void {
  let last = -Infinity;
  acceptor.on('shed', (e) => {
    if (now() - last < SHED_REPORT_INTERVAL_MS) return;
    last = now();
    process.stdout.write(
      `fixover: too many connections waiting for a logon: ${e.count} shed so far to make room for new ones, the oldest idle first from the busiest address (latest from ${e.remote}, ${e.fromAddress} waiting from it, ${e.total} in all)\n`,
    );
  });
}

/**
 * Prints the unexpected errors that ended a session's connection (the process and the other
 * sessions go on; the session serves the next connection), with the stack on standard error.
 */
export function printFaults(session: Session): void {
  session.on('fault', (e) => {
    const what = e.dropped ? 'connection dropped' : 'no connection';
    process.stdout.write(`fixover: ${session.id.toString()} fault in ${e.site}, ${what} (fault ${e.count}): ${e.error.name}: ${e.error.message}\n`);
    if (e.error.stack) process.stderr.write(`${e.error.stack}\n`);
  });
}

/** Prints the unexpected errors that closed an acceptor's connection before its Logon reached a session. */
export function printAcceptorFaults(acceptor: Acceptor): void {
  acceptor.on('fault', (e) => {
    process.stdout.write(`fixover: connection from ${e.remote} closed before its logon by a fault (fault ${e.count}): ${e.error.name}: ${e.error.message}\n`);
    if (e.error.stack) process.stderr.write(`${e.error.stack}\n`);
  });
}

/** Prints each failed TLS handshake on an acceptor's ports, with the reason and the count so far. */
export function printTlsFailures(acceptor: Acceptor): void {
  acceptor.on('tlsFailure', (e) => process.stdout.write(`fixover: TLS: connection from ${e.remote} refused (failure ${e.count}): ${e.reason}\n`));
}

/** Prints the certificates that expire soon or have expired; returns how many. */
export function printCertificateWarnings(engine: Engine): number {
  const warnings = engine.certificateWarnings();
  for (const w of warnings) process.stdout.write(`fixover: warning: ${w}\n`);
  return warnings.length;
}

const DAY_MS = 86_400_000;

/**
 * On SIGHUP, reads every certificate, key and trust file again (new connections use them); a file
 * that fails leaves the ones in use and is printed. Also warns daily of certificates close to expiry.
 * Returns a function that stops both.
 */
export function watchCertificates(engine: Engine): () => void {
  if (engine.tlsContexts.length === 0) return () => undefined;
  const reload = (): void => {
    try {
      engine.reloadTls();
      process.stdout.write('fixover: TLS: certificates reloaded\n');
      printCertificateWarnings(engine);
    } catch (e) {
      process.stdout.write(`fixover: TLS: ${e instanceof Error ? e.message : String(e)}; the certificates in use stay\n`);
    }
  };
  process.on('SIGHUP', reload);
  const daily = setInterval(() => printCertificateWarnings(engine), DAY_MS);
  daily.unref();
  return () => {
    process.off('SIGHUP', reload);
    clearInterval(daily);
  };
}

/** Prints each repair a session's store made of its data (file, offset, what was dropped or set). */
export function printStoreRepairs(session: Session): void {
  session.on('storeRepair', (r) => {
    process.stdout.write(`fixover: ${session.id.toString()} store repaired: ${formatRepair(r)}\n`);
  });
}

/** Runs until SIGINT or SIGTERM. */
export async function run(file: string, options: RunOptions): Promise<number> {
  const { engine, ports, cluster, admin } = await startEngine(file, {
    ...options,
    onSession: (s) => {
      printOwnership(s);
      printStoreFaults(s);
      printStoreRepairs(s);
      printDisconnects(s);
      printFaults(s);
      options.onSession?.(s);
    },
  });
  const sessions = [...engine.sessions.keys()];
  for (const a of engine.acceptors) {
    printShedding(a);
    printAcceptorFaults(a);
    printTlsFailures(a);
  }
  engine.logonGuard?.on('failure', (e) =>
    process.stdout.write(`fixover: ${e.sessionId.toString()} logon refused from ${e.remote}${e.username ? ` (user ${e.username})` : ''}: ${e.reason} (failure ${e.count})${e.blocked ? '; the address is blocked for a while' : ''}\n`),
  );
  engine.logonGuard?.on('passwordChanged', (e) => process.stdout.write(`fixover: ${e.sessionId.toString()} password changed for user ${e.username}\n`));
  printCertificateWarnings(engine);
  const unwatch = watchCertificates(engine);
  process.stdout.write(`fixover: node ${engine.nodeName}: ${sessions.length} session(s) running (${sessions.join(', ')})${ports.length ? `; listening on ${ports.join(', ')}` : ''}\n`);
  if (admin) process.stdout.write(`fixover: operations interface on ${admin.url} (console, /metrics, /healthz, /readyz, /api)${admin.changesEnabled ? '' : '; changing operations disabled: no HttpAdminToken'}\n`);
  await new Promise<void>((resolveStop) => {
    const stop = (): void => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (cluster) {
      // SIGUSR2 (or `fixover drain <settings>`, or the admin interface's drain): move every session
      // to the other members, then stop (exit 0).
      process.on('SIGUSR2', () => void cluster.drain());
      cluster.on('event', (e) => e.type === 'drain' && e.state === 'done' && stop());
    }
  });
  unwatch();
  process.stdout.write('fixover: stopping: logging out and flushing stores\n');
  await admin?.stop();
  await cluster?.stop();
  await engine.stop();
  return 0;
}
