/** Helpers for the log tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionID } from '../../src/session/session-id.js';

export const SESSION = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'ME', targetCompID: 'YOU' });

/** `|`-separated text to a FIX byte string. */
export const fix = (text: string): Buffer => Buffer.from(text.replaceAll('|', '\x01'), 'latin1');

export const ORDER = fix('8=FIX.4.4|9=20|35=D|34=5|49=ME|56=YOU|10=000|');
export const HEARTBEAT = fix('8=FIX.4.4|9=20|35=0|34=6|49=ME|56=YOU|10=000|');
/** 2024-01-02 03:04:05.678 UTC. */
export const NOW = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'fixover-log-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A text sink that keeps what was written. */
export class Capture {
  chunks: string[] = [];
  write(text: string): boolean {
    this.chunks.push(text);
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}
