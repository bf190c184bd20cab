/**
 * The part of node-postgres (`pg`) that fixover uses, declared here so that the published type
 * declarations do not import `pg` (an optional peer dependency, needed only with a PostgreSQL
 * store), and loaded on first use with a clear error when it is not installed.
 *
 * @internal
 */
import { createRequire } from 'node:module';
import { FixoverError } from '../codec/errors.js';

/** Connection settings handed to the driver. @internal */
export interface PgClientConfig {
  connectionString?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  connectionTimeoutMillis?: number;
  application_name?: string;
}

/** A row of a result. @internal */
export type PgRow = object;

/** A named (prepared) statement. @internal */
export interface PgQueryConfig {
  name?: string;
  text: string;
}

/** The result of a statement. @internal */
export interface PgQueryResult<R extends PgRow = PgRow> {
  rows: R[];
  rowCount: number | null;
}

/** Something statements run on: a pooled or a dedicated connection. @internal */
export interface PgQueryable {
  query<R extends PgRow = PgRow>(q: string | PgQueryConfig, values?: unknown[]): Promise<PgQueryResult<R>>;
}

/** A connection checked out of a pool. @internal */
export interface PgPoolClient extends PgQueryable {
  on(event: 'error', listener: (e: Error) => void): unknown;
  removeListener(event: 'error', listener: (e: Error) => void): unknown;
  release(err?: Error | boolean): void;
}

/** A dedicated connection. @internal */
export interface PgClient extends PgQueryable {
  connect(): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'error', listener: (e: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  /** A NOTIFY on a channel this connection LISTENs to. */
  on(event: 'notification', listener: (n: { channel: string; payload?: string }) => void): unknown;
}

/** A connection pool. @internal */
export interface PgPool {
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (e: Error) => void): unknown;
}

/** The driver module. @internal */
export interface PgModule {
  Pool: new (config: PgClientConfig & { max?: number; idleTimeoutMillis?: number }) => PgPool;
  Client: new (config: PgClientConfig) => PgClient;
}

/** `pg` is not installed: a PostgreSQL store or ownership was asked for without it. */
export class PostgresDriverMissingError extends FixoverError {
  constructor(cause: unknown) {
    super(`a PostgreSQL store needs the 'pg' package, which is not installed here (npm install pg): ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`, { cause });
  }
}

let driver: PgModule | undefined;

/** The `pg` module, loaded on first use. @internal */
export function loadPg(): PgModule {
  if (driver) return driver;
  try {
    driver = createRequire(import.meta.url)('pg') as PgModule;
  } catch (e) {
    throw new PostgresDriverMissingError(e);
  }
  return driver;
}
