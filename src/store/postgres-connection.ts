/**
 * Where the PostgreSQL store lives: a connection URL, or QuickFIX C++'s separate settings (host,
 * port, database, user, password), and the schema holding fixover's tables.
 */
import type { PgClientConfig as ClientConfig } from './pg-driver.js';
import { PostgresStoreError } from './postgres-error.js';

/** Where the PostgreSQL store lives: a URL or separate settings, and the schema (`PostgreSQLStore*`). */
export interface PostgresConnectionOptions {
  /** `postgres://user:password@host:port/database` [`PostgreSQLStoreURL`]. */
  url?: string;
  /** Host name, IP address, or a unix socket directory [`PostgreSQLStoreHost`]. */
  host?: string;
  /** [`PostgreSQLStorePort`, default 5432] */
  port?: number;
  /** [`PostgreSQLStoreDatabase`] */
  database?: string;
  /** [`PostgreSQLStoreUser`] */
  user?: string;
  /** [`PostgreSQLStorePassword`] */
  password?: string;
  /** Schema of the tables, created when missing [`PostgreSQLStoreSchema`, default `public`]. */
  schema?: string;
  /** How long to wait for a connection, in milliseconds (default 5000). */
  connectTimeoutMs?: number;
}

/** Checks the options and turns them into a node-postgres client configuration. */
export function clientConfig(o: PostgresConnectionOptions): ClientConfig {
  const config: ClientConfig = { connectionTimeoutMillis: o.connectTimeoutMs ?? 5000, application_name: 'fixover' };
  if (o.url !== undefined) {
    let u: URL;
    try {
      u = new URL(o.url);
    } catch {
      throw new PostgresStoreError('config', `PostgreSQL store: invalid URL ${redactUrl(o.url)}: expected postgres://user:password@host:port/database`);
    }
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
      throw new PostgresStoreError('config', `PostgreSQL store: invalid URL ${redactUrl(o.url)}: the scheme must be postgres:// or postgresql://, not ${u.protocol}//`);
    }
    config.connectionString = o.url;
  }
  if (o.host !== undefined) config.host = o.host;
  if (o.port !== undefined) {
    if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new PostgresStoreError('config', `PostgreSQL store: invalid port ${o.port}: expected 1-65535`);
    config.port = o.port;
  }
  if (o.database !== undefined) config.database = o.database;
  if (o.user !== undefined) config.user = o.user;
  if (o.password !== undefined) config.password = o.password;
  if (o.url === undefined && o.database === undefined) {
    throw new PostgresStoreError('config', 'PostgreSQL store: no database given: set PostgreSQLStoreURL or PostgreSQLStoreDatabase');
  }
  checkSchema(o.schema ?? 'public');
  return config;
}

/** The schema name, which must be a plain identifier (it is written into statements). */
export function checkSchema(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(schema)) {
    throw new PostgresStoreError('config', `PostgreSQL store: invalid schema name ${JSON.stringify(schema)}: letters, digits, _ and $, starting with a letter or _`);
  }
  return schema;
}

/** Names the server for messages, without the password. */
export function describeTarget(o: PostgresConnectionOptions): string {
  let host = o.host;
  let port = o.port;
  let database = o.database;
  let user = o.user;
  if (o.url) {
    try {
      const u = new URL(o.url);
      host ??= decodeURIComponent(u.hostname) || u.searchParams.get('host') || undefined;
      port ??= u.port ? Number(u.port) : undefined;
      database ??= decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined;
      user ??= decodeURIComponent(u.username) || undefined;
    } catch {
      return redactUrl(o.url);
    }
  }
  return `postgres://${user ? `${user}@` : ''}${host ?? 'localhost'}:${port ?? 5432}/${database ?? ''}${o.schema ? ` schema ${o.schema}` : ''}`;
}

/** The URL with any password replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}
