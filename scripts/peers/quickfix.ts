/**
 * QuickFIX C++'s example executor from Debian (`libquickfix17 libquickfix-doc`, see
 * ../shared/peers/README.md): extracted into a directory and run as a child process, with the
 * settings file both it and `fixover executor` accept. Shared by test/interop and bench/.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { canConnect, sleep, startProcess, type Proc } from './process.js';

// ---------------------------------------------------------------------------------------------
// QuickFIX C++ (Debian's example executor)

export const QUICKFIX_EXECUTOR_GZ = '/usr/share/doc/libquickfix-doc/examples/executor/C++/.libs/executor.gz';
const QUICKFIX_LIBRARY = ['/lib/x86_64-linux-gnu/libquickfix.so.17', '/usr/lib/x86_64-linux-gnu/libquickfix.so.17', '/usr/lib/libquickfix.so.17'];

/** Why the QuickFIX executor cannot run here, or undefined when it can. */
export function quickfixSkipReason(): string | undefined {
  if (process.platform !== 'linux') return `QuickFIX C++ executor: Debian's build needs Linux, not ${process.platform}`;
  if (!existsSync(QUICKFIX_EXECUTOR_GZ)) return `QuickFIX C++ executor not installed (${QUICKFIX_EXECUTOR_GZ} missing): apt-get install -y libquickfix17 libquickfix-doc`;
  if (!QUICKFIX_LIBRARY.some((p) => existsSync(p))) return 'QuickFIX C++ runtime not installed (libquickfix.so.17 missing): apt-get install -y libquickfix17';
  return undefined;
}

/** Writes the executor ELF (not the libtool wrapper one level up) into `dir`; returns its path. */
export function installQuickfixExecutor(dir: string): string {
  const file = join(dir, 'executor');
  writeFileSync(file, gunzipSync(readFileSync(QUICKFIX_EXECUTOR_GZ)));
  chmodSync(file, 0o755);
  return file;
}

export interface QuickfixConfig {
  port: number;
  /** FileStorePath (relative to the executor's working directory, or absolute). */
  store: string;
  /** FileLogPath (messages and events), when wanted. */
  log?: string;
  beginString?: string;
  senderCompID?: string;
  targetCompID?: string;
  heartBtInt?: number;
  /** ResetOnLogon/Logout/Disconnect=Y (default N: sequence numbers persist across runs). */
  reset?: boolean;
}

/** The executor's settings (peers/README.md), without ResetOn* unless asked. */
export function quickfixExecutorConfig(c: QuickfixConfig): string {
  const lines = [
    '[DEFAULT]',
    'ConnectionType=acceptor',
    `SocketAcceptPort=${c.port}`,
    'SocketAcceptAddress=127.0.0.1',
    'SocketNodelay=Y',
    'StartTime=00:00:00',
    'EndTime=00:00:00',
    `HeartBtInt=${c.heartBtInt ?? 30}`,
    'UseDataDictionary=N',
    `FileStorePath=${c.store}`,
    ...(c.log ? [`FileLogPath=${c.log}`] : []),
    'ScreenLogShowIncoming=N',
    'ScreenLogShowOutgoing=N',
    'ScreenLogShowEvents=Y',
    'CheckLatency=N',
    ...(c.reset ? ['ResetOnLogon=Y', 'ResetOnLogout=Y', 'ResetOnDisconnect=Y'] : []),
    '',
    '[SESSION]',
    `BeginString=${c.beginString ?? 'FIX.4.4'}`,
    `SenderCompID=${c.senderCompID ?? 'EXECUTOR'}`,
    `TargetCompID=${c.targetCompID ?? 'CLIENT1'}`,
    '',
  ];
  return lines.join('\n');
}

/**
 * Starts the executor (`<dir>/executor <dir>/<cfg>`, working directory `dir`; `extraArgs` such as
 * `SSL` for its TLS acceptor) and waits until it accepts connections. It listens on every interface whatever SocketAcceptAddress says.
 */
export async function startQuickfixExecutor(dir: string, cfg: string, port: number, ms = 10_000, extraArgs: string[] = []): Promise<Proc> {
  const p = startProcess(join(dir, 'executor'), [cfg, ...extraArgs], dir);
  try {
    await p.waitFor(/Type Ctrl-C to quit/, ms);
    const t0 = Date.now();
    while (!(await canConnect(port))) {
      if (Date.now() - t0 > ms) throw new Error(`QuickFIX executor not listening on ${port}:\n${p.output()}`);
      await sleep(20);
    }
    return p;
  } catch (e) {
    await p.stop('SIGKILL', 1000);
    throw e;
  }
}
