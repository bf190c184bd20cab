/** Helpers for the file store tests: valid FIX messages, temp directories, a counting file system. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem, type StoreFile, type StoreFileSystem } from '../../src/store/index.js';

/** A complete FIX.4.4 message with the given sequence number (correct BodyLength and CheckSum). */
export function fixMessage(seq: number, extra = '58=hello'): Buffer {
  const body = `35=D\x0134=${seq}\x0149=A\x0156=B\x01${extra}\x01`;
  const head = `8=FIX.4.4\x019=${Buffer.byteLength(body, 'latin1')}\x01${body}`;
  let sum = 0;
  for (const b of Buffer.from(head, 'latin1')) sum += b;
  return Buffer.from(`${head}10=${String(sum & 0xff).padStart(3, '0')}\x01`, 'latin1');
}

/** A fresh temp directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'fixover-store-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Counts calls per operation; `failWrites` makes the next n writes throw ENOSPC. */
export class CountingFs implements StoreFileSystem {
  datasyncs = 0;
  writes = 0;
  failWrites = 0;
  /** Delay before each write resolves (to hold a flush in flight). */
  writeDelayMs = 0;
  /** Delay before each open resolves (to hold a refresh in flight). */
  openDelayMs = 0;

  mkdir(path: string, options: { recursive: true }): Promise<unknown> {
    return nodeFileSystem.mkdir(path, options);
  }

  unlink(path: string): Promise<void> {
    return nodeFileSystem.unlink(path);
  }

  async open(path: string, flags: number, mode?: number): Promise<StoreFile> {
    if (this.openDelayMs > 0) await new Promise((r) => setTimeout(r, this.openDelayMs));
    const f = await nodeFileSystem.open(path, flags, mode);
    return {
      read: (b, o, l, p) => f.read(b, o, l, p),
      write: async (b, o, l, p) => {
        this.writes++;
        if (this.writeDelayMs > 0) await new Promise((r) => setTimeout(r, this.writeDelayMs));
        if (this.failWrites > 0) {
          this.failWrites--;
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        }
        return f.write(b, o, l, p);
      },
      truncate: (n) => f.truncate(n),
      datasync: () => {
        this.datasyncs++;
        return f.datasync();
      },
      stat: () => f.stat(),
      close: () => f.close(),
    };
  }
}
