/**
 * `fixover passwd <file> <user>`: sets a user's password in a credential file
 * (`LogonCredentialsFile`), creating the file or the user as needed. The password is read from
 * standard input (its first line), so it appears in no command line or shell history.
 */
import { readFileSync } from 'node:fs';
import { CredentialFile, CredentialFileError } from '../auth/credentials.js';

export interface PasswdOptions {
  /** CompIDs the user may log on as (comma-separated); kept as they were when not given. */
  compIds?: string;
  /** The password text (tests); default: the first line of standard input. */
  input?: string;
}

/** Sets the password; resolves with the exit code (2: bad input). */
export async function passwd(file: string, user: string, o: PasswdOptions = {}): Promise<number> {
  const text = o.input ?? readFileSync(0, 'utf8');
  const password = text.split(/\r?\n/)[0];
  if (!password) {
    process.stderr.write('fixover passwd: no password on standard input (e.g. printf %s "$PW" | fixover passwd users.txt alice)\n');
    return 2;
  }
  try {
    const ids = o.compIds?.split(',').map((x) => x.trim()).filter(Boolean);
    const existing = await loadOrEmpty(file);
    await existing.setPassword(user, password, ids);
  } catch (e) {
    if (e instanceof CredentialFileError) {
      process.stderr.write(`fixover passwd: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  process.stdout.write(`fixover passwd: ${file}: password set for ${user}\n`);
  return 0;
}

async function loadOrEmpty(file: string): Promise<CredentialFile> {
  try {
    return CredentialFile.load(file);
  } catch (e) {
    if (e instanceof CredentialFileError && e.line === 0 && /does not exist/.test(e.reason)) {
      return CredentialFile.empty(file);
    }
    throw e;
  }
}
