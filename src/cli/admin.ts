/**
 * `fixover admin <url> <action> …`: the operations interface of a running engine, from the command
 * line (sessions, node, logout, disconnect, reset, set-seq, refresh, move, drain, cluster, tls, reload-tls, activity, audit). The
 * admin token comes from `--token-file` or the FIXOVER_ADMIN_TOKEN environment variable (not the
 * command line, where other users of the machine could read it).
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { AdminClient, AdminClientError } from '../admin/client.js';
import type { SessionInfo } from '../admin/server.js';
import type { TlsReloadReason, TlsStatus } from '../admin/tls-status.js';

export const ADMIN_ACTIONS = ['sessions', 'session', 'node', 'logout', 'disconnect', 'reset', 'set-seq', 'refresh', 'move', 'drain', 'cluster', 'tls', 'reload-tls', 'activity', 'audit'] as const;

export interface AdminCommandOptions {
  tokenFile?: string;
  operator?: string;
  text?: string;
  sender?: number;
  target?: number;
  json?: boolean;
}

const usage = (message: string): Error => Object.assign(new Error(message), { exitCode: 2 });

/** Runs one admin action; resolves with the exit code (1 when the server refused or failed). */
export async function adminCommand(url: string, action: string, args: string[], o: AdminCommandOptions, out: (s: string) => void = (s) => void process.stdout.write(s)): Promise<number> {
  if (!(ADMIN_ACTIONS as readonly string[]).includes(action)) throw usage(`unknown admin action ${action}: expected one of ${ADMIN_ACTIONS.join(', ')}`);
  if (!/^https?:\/\//.test(url)) throw usage(`the URL must start with http:// or https://, not ${url}`);
  const token = o.tokenFile ? readToken(o.tokenFile) : process.env.FIXOVER_ADMIN_TOKEN || undefined;
  const client = new AdminClient(url, { token, operator: o.operator ?? safeUser() });
  const id = (): string => {
    if (args.length !== 1) throw usage(`${action} takes one session ID, e.g. 'FIX.4.2:EXEC->BANZAI'`);
    return args[0];
  };
  const print = (value: unknown, text: () => string): void => out(o.json ? `${JSON.stringify(value, null, 2)}\n` : text());
  try {
    switch (action) {
      case 'sessions': {
        const sessions = await client.sessions();
        print(sessions, () => sessionTable(sessions));
        break;
      }
      case 'session': {
        const s = await client.session(id());
        print(s, () => sessionTable([s]));
        break;
      }
      case 'node': {
        const n = await client.node();
        print(n, () => `node ${n.node} (pid ${n.pid}): ${n.phase}, ${n.ready ? 'ready' : 'not ready'}; ${n.loggedOn}/${n.sessions} sessions logged on; listening on ${n.listeningPorts.join(', ') || 'nothing'}\n`);
        break;
      }
      case 'logout':
      case 'disconnect':
      case 'reset':
      case 'refresh': {
        const target = id();
        const s = action === 'logout' ? await client.logout(target, o.text) : action === 'disconnect' ? await client.disconnect(target, o.text) : action === 'reset' ? await client.reset(target, o.text) : await client.refresh(target);
        print(s, () => `${action}: ok\n${sessionTable([s])}`);
        break;
      }
      case 'set-seq': {
        const target = id();
        if (o.sender === undefined && o.target === undefined) throw usage('set-seq needs --sender <n> and/or --target <n>');
        const s = await client.setSequenceNumbers(target, { nextSender: o.sender, nextTarget: o.target });
        print(s, () => `set-seq: ok\n${sessionTable([s])}`);
        break;
      }
      case 'move': {
        if (args.length !== 2) throw usage(`move takes a session ID and a target node, e.g. move 'FIX.4.2:EXEC->BANZAI' node-b`);
        const m = await client.move(args[0], args[1]);
        print(m, () => `move: requested; ${m.session} goes from node ${m.from} to node ${m.to} once the coordinator orders it (see: fixover admin ${url} cluster)\n`);
        break;
      }
      case 'cluster': {
        const c = await client.cluster();
        print(c, () => clusterText(c));
        break;
      }
      case 'drain': {
        const n = await client.drain(o.text);
        print(n, () => `drain: ok; node ${n.node} is ${n.phase}, ${n.loggedOn} session(s) still logged on\n`);
        break;
      }
      case 'tls': {
        const t = await client.tls();
        print(t, () => tlsText(t));
        break;
      }
      case 'reload-tls': {
        const t = await client.reloadTls();
        print(t, () => `reload-tls: ok; in use now:\n${tlsText(t)}`);
        break;
      }
      case 'activity': {
        const a = await client.activity();
        print(a, () => a.map((e) => `${new Date(e.at).toISOString()} ${e.kind.padEnd(10)} ${e.session ?? '-'} ${e.text}\n`).join(''));
        break;
      }
      case 'audit': {
        const a = await client.audit();
        print(a, () => a.map((e) => `${e.at} ${e.who}@${e.remote} ${e.action} ${e.target}${e.detail ? ` (${e.detail})` : ''}: ${e.outcome}\n`).join(''));
        break;
      }
    }
    return 0;
  } catch (e) {
    if (!(e instanceof AdminClientError)) throw e;
    if (o.json && Object.keys(e.body).length > 0) out(`${JSON.stringify(e.body, null, 2)}\n`);
    process.stderr.write(`fixover admin: ${e.message}\n`);
    for (const r of (e.body.reasons ?? []) as TlsReloadReason[]) process.stderr.write(`  ${r.file ?? '-'} (${r.setting ?? '-'}): ${r.problem}\n`);
    return 1;
  }
}

/** The certificates in use, one a line (file, setting, subject, expiry, days left), then the warnings. */
function tlsText(t: TlsStatus): string {
  if (!t.tls) return 'no TLS on this node\n';
  const lines = t.certificates.map((c) => `${c.path} (${c.setting}) ${c.subject}: valid until ${c.notAfter}, ${c.daysLeft} day(s) left`);
  if (t.certificates.length === 0) lines.push('no own certificate (initiator sessions without a client certificate)');
  for (const w of t.warnings) lines.push(`warning: ${w}`);
  lines.push(`failed handshakes: ${t.handshakeFailures}`);
  return `${lines.join('\n')}\n`;
}

/** The cluster status in a few lines: members, moves in progress, who holds each session. */
function clusterText(c: Record<string, unknown>): string {
  const members = (c.members ?? []) as Array<{ node: string; state: string; uris: string[]; sessions: string[] }>;
  const moves = (c.moves ?? []) as Array<{ session: string; from: string; to: string; reason: string }>;
  const lines = [`cluster ${String(c.cluster)}${c.joined ? '' : ' (this node has not joined)'}`, 'members:'];
  for (const m of members) lines.push(`  ${m.node}  ${m.state}  ${m.uris.join(',')}  ${m.sessions.length} session(s)${m.sessions.length ? `: ${m.sessions.join(', ')}` : ''}`);
  if (moves.length > 0) {
    lines.push('moves in progress:');
    for (const m of moves) lines.push(`  ${m.session}  ${m.from} -> ${m.to}  (${m.reason})`);
  }
  return `${lines.join('\n')}\n`;
}

function readToken(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw usage(`--token-file: cannot read ${file}: ${(e as Error).message}`);
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unnamed';
  }
}

/** One line per session: ID, state, numbers, owner, remote address, last message. */
export function sessionTable(sessions: readonly SessionInfo[]): string {
  const rows = sessions.map((s) => [
    s.sessionId,
    s.loggedOn ? 'logged on' : s.connected ? 'connected' : 'down',
    `${s.nextSenderSeq}/${s.nextTargetSeq}`,
    s.owner ? `${s.owner.node}#${s.owner.epoch}${s.ownerEpoch ? '' : ' (not here)'}` : '-',
    s.remoteAddress ?? '-',
    s.lastReceivedAt ? new Date(s.lastReceivedAt).toISOString() : '-',
  ]);
  const head = ['SESSION', 'STATE', 'SEQ OUT/IN', 'OWNER#EPOCH', 'REMOTE', 'LAST RECEIVED'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => `${r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()}\n`).join('');
}
