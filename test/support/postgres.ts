/**
 * A private, throwaway PostgreSQL server for tests: `initdb` into a temp directory, a free TCP port
 * on 127.0.0.1 and the unix socket in the same directory, run as the `postgres` user when the test
 * runs as root. With FIXOVER_TEST_PG_URL set, that server is used instead (and cannot be
 * restarted). Every test gets its own schema, so tests never see each other's tables.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

const BIN = process.env.FIXOVER_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** Connection URL (database `postgres`, superuser without password on a private server). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** False for a server given by FIXOVER_TEST_PG_URL. */
  readonly canRestart: boolean;
  /** A fresh schema name, created on the server. */
  newSchema(prefix?: string): Promise<string>;
  /** Stops the server (fast shutdown: connections are closed). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  destroy(): Promise<void>;
  /** Runs one query on a fresh connection. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  if (process.env.FIXOVER_TEST_PG_URL) return undefined;
  if (!existsSync(join(BIN, 'initdb')) || !existsSync(join(BIN, 'pg_ctl'))) {
    return `PostgreSQL 15 binaries not found in ${BIN} (install postgresql-15, or set FIXOVER_TEST_PG_URL)`;
  }
  return undefined;
}

/** uid/gid to run the server as: the `postgres` user when we are root (initdb refuses root). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root and there is no postgres user to run the test server as');
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

function run(cmd: string, args: string[], user: { uid: number; gid: number } | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(BIN, cmd), args, { ...user, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${out}`))));
  });
}

let counter = 0;

async function queryOnce<R extends pg.QueryResultRow>(url: string, sql: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await c.query<R>(sql, params);
  } finally {
    await c.end();
  }
}

function withSchemas(base: Omit<TestPostgres, 'newSchema' | 'query'>): TestPostgres {
  const query = <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => queryOnce<R>(base.url, sql, params);
  return {
    ...base,
    query,
    async newSchema(prefix = 't') {
      const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${++counter}`;
      await query(`CREATE SCHEMA "${name}"`);
      return name;
    },
  };
}

/**
 * Starts a private server (or wraps FIXOVER_TEST_PG_URL). `fsync` defaults to off (tests check
 * commit order, not the disk); benchmarks pass true. Call `destroy()` when done; the server is
 * also stopped if the test process exits first.
 */
export async function startPostgres(options: { fsync?: boolean } = {}): Promise<TestPostgres> {
  const given = process.env.FIXOVER_TEST_PG_URL;
  if (given) {
    const u = new URL(given);
    return withSchemas({
      url: given,
      host: u.hostname,
      port: Number(u.port || 5432),
      canRestart: false,
      stop: () => Promise.reject(new Error('cannot stop the server given by FIXOVER_TEST_PG_URL')),
      start: () => Promise.reject(new Error('cannot start the server given by FIXOVER_TEST_PG_URL')),
      destroy: async () => undefined,
    });
  }
  const why = postgresUnavailable();
  if (why) throw new Error(why);
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'fixover-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--no-instructions'], user);
  const port = await freePort();
  const opts = [`-p ${port}`, `-k ${dir}`, `-c listen_addresses=127.0.0.1`, `-c fsync=${options.fsync ? 'on' : 'off'}`, '-c max_connections=60', '-c shared_buffers=32MB'].join(' ');
  let running = false;
  const startServer = async (): Promise<void> => {
    await run('pg_ctl', ['start', '-D', data, '-w', '-t', '30', '-l', join(dir, 'server.log'), '-o', opts], user);
    running = true;
  };
  const stopServer = async (mode = 'fast'): Promise<void> => {
    if (!running) return;
    running = false;
    await run('pg_ctl', ['stop', '-D', data, '-w', '-t', '30', '-m', mode], user);
  };
  const onExit = (): void => {
    if (running) spawnSync(join(BIN, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate'], { ...user, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  await startServer();
  return withSchemas({
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    host: '127.0.0.1',
    port,
    canRestart: true,
    stop: () => stopServer(),
    start: startServer,
    destroy: async () => {
      await stopServer().catch(() => stopServer('immediate'));
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  });
}
