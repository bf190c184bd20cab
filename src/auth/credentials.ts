/**
 * The credential file of logon authentication (`LogonCredentialsFile`): one user per line,
 *
 *     username:scrypt$N$r$p$<salt, base64>$<hash, base64>[:CompID,CompID,…]
 *
 * salted scrypt hashes (node:crypto), `#` comments and blank lines allowed. The optional third
 * field lists the CompIDs the user may log on as (the counterparty's SenderCompID); without it
 * the user may log on to any session that reads this file. `fixover passwd <file> <user>` writes
 * entries. A password change (NewPassword(925) on a Logon) rewrites the file atomically.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { FixoverError } from '../codec/errors.js';

/** The credential file cannot be read or has a bad line: `file`, `line` (0: the whole file) and why. */
export class CredentialFileError extends FixoverError {
  override readonly code = 'FIXOVER_CREDENTIAL_FILE';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${line > 0 ? `${file}:${line}` : file}: ${reason}`);
  }
}

/** scrypt cost parameters (defaults: N=16384, r=8, p=1, 32-byte hash, 16-byte salt). */
export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}
/** The scrypt cost `fixover passwd` hashes with (N=16384, r=8, p=1). */
export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

/** One user of the file. */
export interface CredentialEntry {
  readonly username: string;
  /** `scrypt$N$r$p$salt$hash`. */
  readonly hash: string;
  /** CompIDs the user may log on as; empty: any. */
  readonly compIds: readonly string[];
  readonly line: number;
}

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCallback(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

const maxmem = (c: ScryptCost): number => 256 * c.N * c.r + 1024 * 1024;

/** A salted scrypt hash of `password` in the file's format. */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await scrypt(password, salt, KEY_LENGTH, { ...cost, maxmem: maxmem(cost) });
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Null when `hash` is in the file's format, else what is wrong. */
export function hashProblem(hash: string): string | null {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash);
  if (!m) return 'expected a hash scrypt$N$r$p$salt$hash (made by fixover passwd)';
  const N = Number(m[1]);
  if (N < 2 || (N & (N - 1)) !== 0) return `scrypt N=${m[1]} is not a power of two`;
  if (Buffer.from(m[5], 'base64').length < 16) return 'the hash is too short';
  return null;
}

/** True when `password` matches `hash` (compared in constant time). */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const [, n, r, p, salt, expected] = hash.split('$');
  const want = Buffer.from(expected, 'base64');
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const got = await scrypt(password, Buffer.from(salt, 'base64'), want.length, { ...cost, maxmem: maxmem(cost) });
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Parses the file's text; throws CredentialFileError naming the first bad line. */
export function parseCredentials(text: string, file: string): Map<string, CredentialEntry> {
  const out = new Map<string, CredentialEntry>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    const parts = t.split(':');
    if (parts.length < 2 || parts.length > 3 || parts[0] === '') throw new CredentialFileError(file, line, 'expected username:hash or username:hash:CompID,CompID');
    const [username, hash, ids] = parts;
    const bad = hashProblem(hash);
    if (bad) throw new CredentialFileError(file, line, `user ${username}: ${bad}`);
    if (out.has(username)) throw new CredentialFileError(file, line, `user ${username} is listed twice (first at line ${out.get(username)!.line})`);
    out.set(username, { username, hash, compIds: ids ? ids.split(',').map((x) => x.trim()).filter(Boolean) : [], line });
  });
  return out;
}

function formatEntry(e: Pick<CredentialEntry, 'username' | 'hash' | 'compIds'>): string {
  return `${e.username}:${e.hash}${e.compIds.length > 0 ? `:${e.compIds.join(',')}` : ''}`;
}

/** Why a logon's credentials were refused. */
export type CredentialVerdict = 'ok' | 'unknown-user' | 'wrong-password' | 'wrong-compid';

/** A credential file, read at start-up; verified against asynchronously (scrypt runs off the event loop). */
export class CredentialFile {
  private entries: Map<string, CredentialEntry>;
  /** A hash checked for unknown users, so that they take as long as known ones. */
  private decoy: Promise<string> | undefined;

  private constructor(
    readonly path: string,
    entries: Map<string, CredentialEntry>,
  ) {
    this.entries = entries;
  }

  /** Reads and checks the file; throws CredentialFileError naming the file and line. */
  static load(path: string): CredentialFile {
    return new CredentialFile(path, parseCredentials(read(path), path));
  }

  /** A credential file that does not exist yet (created by the first {@link setPassword}). */
  static empty(path: string): CredentialFile {
    return new CredentialFile(path, new Map());
  }

  /** Users in the file. */
  get usernames(): string[] {
    return [...this.entries.keys()];
  }

  /** Checks a username, password and the CompID the user logs on as. */
  async verify(username: string, password: string, compId: string): Promise<CredentialVerdict> {
    const e = this.entries.get(username);
    if (!e) {
      this.decoy ??= hashPassword(randomBytes(12).toString('base64'));
      await verifyPassword(password, await this.decoy);
      return 'unknown-user';
    }
    if (!(await verifyPassword(password, e.hash))) return 'wrong-password';
    if (e.compIds.length > 0 && !e.compIds.includes(compId)) return 'wrong-compid';
    return 'ok';
  }

  /** Sets a user's password (adding the user when new), rewriting the file atomically. */
  async setPassword(username: string, password: string, compIds?: readonly string[]): Promise<void> {
    if (username === '' || username.includes(':') || /\s/.test(username)) throw new CredentialFileError(this.path, 0, `invalid username "${username}": no colon or white space`);
    const hash = await hashPassword(password);
    // Read again: the file may have been edited since it was loaded.
    const text = read(this.path, true);
    const current = parseCredentials(text, this.path);
    const old = current.get(username);
    const entry = { username, hash, compIds: compIds ?? old?.compIds ?? [] };
    const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
    if (old) lines[old.line - 1] = formatEntry(entry);
    else lines.push(formatEntry(entry));
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${lines.join('\n')}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
    this.entries = parseCredentials(`${lines.join('\n')}\n`, this.path);
  }
}

/** A credential file's text; `missingIsEmpty` for a file about to be created. */
function read(path: string, missingIsEmpty = false): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (missingIsEmpty && code === 'ENOENT') return '';
    throw new CredentialFileError(path, 0, code === 'ENOENT' ? 'does not exist' : `cannot be read: ${(e as Error).message}`);
  }
}
