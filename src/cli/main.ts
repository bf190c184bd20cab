/**
 * The `fixover` command line. Exit codes: 0 success, 1 runtime failure, 2 bad usage or settings,
 * 3 conformance failures.
 */
import { Command, CommanderError } from 'commander';
import { loadDictionary, resolveDictionaryPath } from '../dictionary/index.js';
import { decodeToText, readInputs } from './decode.js';
import { run, APPS } from './run.js';
import { clientCommand } from './client.js';
import { conformance } from './conformance.js';
import { adminCommand, ADMIN_ACTIONS, type AdminCommandOptions } from './admin.js';
import { clusterStatus, drainNode } from './cluster.js';
import { writeMessages } from '../messages/generate.js';
import { passwd } from './passwd.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, conformance: 3 } as const;

function program(): Command {
  const p = new Command('fixover')
    .description('fixover — a high-availability FIX engine for Node.js')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  p.command('decode')
    .description('pretty-print FIX messages (raw, or log lines with | or ^A) with field names from a dictionary')
    .argument('[files...]', 'input files (standard input when none)')
    .option('-d, --dict <path>', 'data dictionary: a file, or a shipped name such as FIX44.xml', 'FIX44.xml')
    .option('--json', 'one JSON object per message')
    .option('--strict', 'check BodyLength and CheckSum')
    .action(async (files: string[], opts: { dict: string; json?: boolean; strict?: boolean }) => {
      const schema = loadDictionary(resolveDictionaryPath(opts.dict));
      process.stdout.write(decodeToText(await readInputs(files), { schema, json: opts.json, strict: opts.strict }));
    });
  p.command('generate')
    .description('generate typed messages (field and enum constants, readers, builders, a cracker) from a data dictionary')
    .argument('<dict>', 'data dictionary: a file, or a shipped name such as FIX44.xml')
    .argument('<outdir>', 'folder to write fields.ts, messages.ts and index.ts to (created when missing)')
    .option('--runtime <module>', 'module the generated code imports its runtime from', 'fixover/messages/runtime')
    .action((dict: string, outdir: string, opts: { runtime: string }) => {
      for (const path of writeMessages(dict, outdir, { runtimeModule: opts.runtime })) process.stdout.write(`${path}\n`);
    });
  p.command('run')
    .description('run every session of a QuickFIX settings file with a built-in application')
    .argument('<settings>', 'QuickFIX settings file')
    .option('-a, --app <name>', `application: ${Object.keys(APPS).join(', ')}`, 'log')
    .option('--json-log', 'structured JSON session events on standard error')
    .action(async (file: string, opts: { app: string; jsonLog?: boolean }) => {
      process.exitCode = await run(file, { app: opts.app, jsonLog: opts.jsonLog });
    });

  p.command('executor')
    .description('run the order executor (short for run --app executor): fills every NewOrderSingle')
    .argument('<settings>', 'QuickFIX settings file')
    .option('--json-log', 'structured JSON session events on standard error')
    .action(async (file: string, opts: { jsonLog?: boolean }) => {
      process.exitCode = await run(file, { app: 'executor', jsonLog: opts.jsonLog });
    });
  p.command('client')
    .description('headless order-entry client: send NewOrderSingles, wait for fills, write a JSON report (exit 4 when incomplete)')
    .argument('<settings>', 'QuickFIX settings file with an initiator session')
    .requiredOption('-n, --orders <n>', 'number of orders', (v) => positive('--orders', v))
    .option('-r, --rate <perSecond>', 'orders per second', (v) => positive('--rate', v))
    .option('-w, --window <n>', 'orders in flight (default 1 without --rate)', (v) => positive('--window', v))
    .option('--report <file>', 'write the JSON report to a file instead of standard output')
    .option('--session <id>', 'which initiator session, e.g. FIX.4.2:BANZAI->EXEC (default: the first)')
    .option('--settle <ms>', 'how long to wait for the last fills', (v) => positive('--settle', v), 10000)
    .option('--json-log', 'structured JSON session events on standard error')
    .option('--logon-timeout <ms>', 'give up when not logged on within this time (a standby client waits for the owner to go)', (v) => positive('--logon-timeout', v), 30000)
    .action(async (file: string, o: { orders: number; rate?: number; window?: number; report?: string; session?: string; settle: number; jsonLog?: boolean; logonTimeout: number }) => {
      if (o.rate && o.window) throw Object.assign(new Error('--rate and --window exclude each other'), { exitCode: 2 });
      process.exitCode = await clientCommand(file, { ...o, settleMs: o.settle, logonTimeoutMs: o.logonTimeout });
    });
  p.command('admin')
    .description('operate a running engine through its HTTP interface (HttpAcceptPort): sessions, session <id>, node, logout <id>, disconnect <id>, reset <id>, set-seq <id>, refresh <id>, move <id> <node>, drain, cluster, tls, reload-tls, activity, audit')
    .argument('<url>', 'the interface, e.g. http://127.0.0.1:8080')
    .argument('<action>', ADMIN_ACTIONS.join(' | '))
    .argument('[args...]', 'the session ID for per-session actions, e.g. FIX.4.2:EXEC->BANZAI; for move also the target node')
    .option('--token-file <file>', 'file holding the admin token (else FIXOVER_ADMIN_TOKEN)')
    .option('--operator <name>', 'who is operating, for the audit trail (default: the user name)')
    .option('--text <text>', 'logout, disconnect, reset, drain: the text (Logout Text 58)')
    .option('--sender <n>', 'set-seq: next sender sequence number', (v) => positive('--sender', v))
    .option('--target <n>', 'set-seq: next target sequence number', (v) => positive('--target', v))
    .option('--json', 'print the JSON answer')
    .action(async (url: string, action: string, args: string[], o: AdminCommandOptions) => {
      process.exitCode = await adminCommand(url, action, args, o);
    });
  p.command('cluster')
    .description('cluster of acceptor nodes (docs/cluster.md)')
    .command('status')
    .description("print the cluster's members, their state, the topology epoch, the coordinator, moves in progress and which node holds each session")
    .argument('<settings>', "a cluster member's QuickFIX settings file")
    .action(async (file: string) => {
      process.stdout.write(await clusterStatus(file));
    });
  p.command('passwd')
    .description('set a user\'s password in a logon credential file (LogonCredentialsFile); the password is read from standard input')
    .argument('<file>', 'credential file (created when missing)')
    .argument('<user>', 'username (Username(553) of the Logon)')
    .option('--comp-ids <ids>', 'CompIDs the user may log on as, comma-separated (default: any, or as before)')
    .action(async (file: string, user: string, o: { compIds?: string }) => {
      process.exitCode = await passwd(file, user, { compIds: o.compIds });
    });
  p.command('drain')
    .description('drain a running cluster node (its NodeName in the settings): it refuses new logons, moves its sessions to the other members and exits 0 (same as SIGUSR2 to the node)')
    .argument('<settings>', "the node's QuickFIX settings file")
    .option('--wait <ms>', 'how long to wait for the node to leave', (v) => positive('--wait', v), 120000)
    .action(async (file: string, o: { wait: number }) => {
      process.stdout.write(await drainNode(file, o.wait));
    });
  p.command('conformance')
    .description('run QuickFIX acceptance scripts (.def) against fixover (--settings) or a running acceptor (--port); exit 3 on failures')
    .argument('<paths...>', '.def files or folders of them (folders run in parallel)')
    .option('-s, --settings <file>', 'start fixover with these settings and the acceptance application')
    .option('--host <host>', 'acceptor host', '127.0.0.1')
    .option('-p, --port <port>', 'acceptor port (with --settings: listen there instead of the settings port)', (v) => positive('--port', v))
    .option('-m, --mode <mode>', 'strict (QuickFIX) or lenient (QuickFIX/J)', 'strict')
    .option('-f, --fields <file>', 'fields.fmt: tags whose values are matched by pattern')
    .option('-v, --verbose', 'a line for every file')
    .action(async (paths: string[], o: { settings?: string; host: string; port?: number; mode: string; fields?: string; verbose?: boolean }) => {
      if (o.mode !== 'strict' && o.mode !== 'lenient') throw Object.assign(new Error(`--mode must be strict or lenient, not ${o.mode}`), { exitCode: 2 });
      const results = await conformance(paths, { ...o, mode: o.mode });
      process.exitCode = results.every((r) => r.passed) ? EXIT.ok : EXIT.conformance;
    });
  return p;
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw Object.assign(new Error(`${name} must be a positive number, not ${v}`), { exitCode: 2 });
  return n;
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (!(e as { printed?: boolean }).printed) process.stderr.write(`fixover: ${e instanceof Error ? e.message : String(e)}\n`);
    return (e as { exitCode?: number }).exitCode ?? EXIT.failure;
  }
}
