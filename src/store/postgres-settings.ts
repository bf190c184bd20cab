/**
 * The PostgreSQL store from settings: `PostgreSQLStoreURL=postgres://user:password@host:port/db`,
 * or QuickFIX C++'s `PostgreSQLStoreDatabase`, `PostgreSQLStoreUser`, `PostgreSQLStorePassword`,
 * `PostgreSQLStoreHost`, `PostgreSQLStorePort` (given with a URL, they override its parts), and
 * `PostgreSQLStoreSchema` for the tables (default `public`). `${VAR}` in values is substituted
 * by the settings reader, so passwords can come from the environment.
 */
import type { PostgresDatabaseOptions } from './postgres-database.js';
import { PostgresStoreError } from './postgres-error.js';

type Settings = Readonly<Record<string, string | undefined>>;

/** The connection options when the settings name a PostgreSQL store, else undefined. */
export function postgresOptionsFrom(s: Settings): PostgresDatabaseOptions | undefined {
  if (s.PostgreSQLStoreURL === undefined && s.PostgreSQLStoreDatabase === undefined && s.PostgreSQLStoreHost === undefined) return undefined;
  const o: PostgresDatabaseOptions = {};
  if (s.PostgreSQLStoreURL !== undefined) o.url = s.PostgreSQLStoreURL;
  if (s.PostgreSQLStoreHost !== undefined) o.host = s.PostgreSQLStoreHost;
  if (s.PostgreSQLStorePort !== undefined) {
    const port = Number(s.PostgreSQLStorePort);
    if (!/^\d+$/.test(s.PostgreSQLStorePort) || port < 1 || port > 65535) {
      throw new PostgresStoreError('config', `PostgreSQLStorePort: invalid port ${s.PostgreSQLStorePort}: expected 1-65535`);
    }
    o.port = port;
  }
  if (s.PostgreSQLStoreDatabase !== undefined) o.database = s.PostgreSQLStoreDatabase;
  if (s.PostgreSQLStoreUser !== undefined) o.user = s.PostgreSQLStoreUser;
  if (s.PostgreSQLStorePassword !== undefined) o.password = s.PostgreSQLStorePassword;
  if (s.PostgreSQLStoreSchema !== undefined) o.schema = s.PostgreSQLStoreSchema;
  if (s.FileStorePath !== undefined) {
    throw new PostgresStoreError('config', 'both FileStorePath and PostgreSQLStore* settings are given for one session: choose one store');
  }
  return o;
}
