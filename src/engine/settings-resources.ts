/**
 * The store and the logs of a session, as its settings ask for them: the one place that turns
 * `FileStorePath`, `PostgreSQLStore*`, `FileLogPath` and `ScreenLogShow*` into objects, used by
 * `Engine.create` (by default), `Engine.fromSettings`/`fromSettingsFile` and the command line.
 *
 * @internal
 */
import { resolve } from 'node:path';
import type { SessionID } from '../session/session-id.js';
import { FileStore } from '../store/file-store.js';
import { StoreDamagedError, type StoreRecoveryPolicy } from '../store/store-repair.js';
import { MemoryStore } from '../store/memory-store.js';
import type { MessageStore } from '../store/store.js';
import { PostgresDatabase } from '../store/postgres-database.js';
import { PostgresStore } from '../store/postgres-store.js';
import { postgresOptionsFrom } from '../store/postgres-settings.js';
import { FileLogFactory } from '../log/file-log.js';
import { JsonLogFactory } from '../log/json-log.js';
import { ScreenLogFactory } from '../log/screen-log.js';
import { CompositeLog } from '../log/composite-log.js';
import type { Log } from '../log/log.js';
import type { SessionSettingsRecord as SessionSettingsRecord } from './from-settings.js';

const yes = (v: string | undefined): boolean => (v ?? '').toUpperCase() === 'Y';

/**
 * Store of a session: PostgreSQL when PostgreSQLStore* settings name a database, a FileStore under
 * FileStorePath (relative to the working directory; the folder is created when missing, or the
 * call fails with a FileStoreError naming it), else memory. A damaged store rejects with
 * StoreDamagedError (`exitCode` 2 for the command line).
 */
export async function storeFor(s: SessionSettingsRecord, id: SessionID): Promise<MessageStore> {
  try {
    return await openStore(s, id);
  } catch (e) {
    // A damaged store is a start-up problem the settings can resolve (StoreRecovery=repair): exit 2.
    if (e instanceof StoreDamagedError) throw Object.assign(e, { exitCode: 2 });
    throw e;
  }
}

async function openStore(s: SessionSettingsRecord, id: SessionID): Promise<MessageStore> {
  const pg = postgresOptionsFrom(s);
  if (pg) return PostgresStore.open({ database: PostgresDatabase.shared(pg), session: id.toString(), recoveryPolicy: recoveryPolicyFrom(s) });
  if (!s.FileStorePath) return new MemoryStore();
  return FileStore.open({
    path: resolve(s.FileStorePath),
    prefix: id.filePrefix,
    sync: yes(s.FileStoreSync),
    maxCachedMsgs: s.FileStoreMaxCachedMsgs ? Number(s.FileStoreMaxCachedMsgs) : undefined,
    recoveryPolicy: recoveryPolicyFrom(s),
    // With session ownership (the default) other nodes may share the directory.
    shared: (s.SessionOwnership ?? 'Y').toUpperCase() === 'Y',
  });
}

/** `StoreRecovery` (refuse, the default, or repair; checked by the settings parser). */
export function recoveryPolicyFrom(s: SessionSettingsRecord): StoreRecoveryPolicy {
  return (s.StoreRecovery ?? 'refuse').toLowerCase() === 'repair' ? 'repair' : 'refuse';
}

/**
 * Logs of a session: FileLog under FileLogPath; a screen log (standard output) when any
 * ScreenLogShow* setting is given, with those switches; JSON events on stderr when `json`.
 */
export function logFor(json: boolean): (s: SessionSettingsRecord, id: SessionID) => Promise<Log | undefined> {
  const jsonFactory = json ? new JsonLogFactory({ destination: process.stderr }) : undefined;
  return async (s, id) => {
    const logs: Log[] = [];
    if (s.FileLogPath) logs.push(await new FileLogFactory({ path: resolve(s.FileLogPath), backupPath: s.FileLogBackupPath, logHeartbeats: yes(s.FileLogHeartbeats) }).create(id));
    if (Object.keys(s).some((k) => k.startsWith('ScreenLogShow'))) {
      const flag = (name: string, dflt: boolean): boolean => (s[name] === undefined ? dflt : yes(s[name]));
      logs.push(
        await new ScreenLogFactory({
          showIncoming: flag('ScreenLogShowIncoming', true),
          showOutgoing: flag('ScreenLogShowOutgoing', true),
          showEvents: flag('ScreenLogShowEvents', true),
          showHeartbeats: flag('ScreenLogShowHeartBeats', false),
          printable: true,
        }).create(id),
      );
    }
    if (jsonFactory) logs.push(await jsonFactory.create(id));
    if (logs.length === 0) return undefined;
    return logs.length === 1 ? logs[0] : new CompositeLog(logs);
  };
}
