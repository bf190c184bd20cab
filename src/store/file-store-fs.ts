/**
 * The slice of the file system a file store uses, so tests can count fsyncs or inject failures.
 * `node:fs/promises` satisfies it as is.
 */
import { closeSync, ftruncateSync, openSync, unlinkSync, writeSync, constants } from 'node:fs';
import * as fsp from 'node:fs/promises';

/** An open file: positional reads and writes, truncation, fsync. A `FileHandle` is one. */
export interface StoreFile {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  truncate(length: number): Promise<void>;
  /** fdatasync: what `FileStoreSync=Y` calls once per flush and file. */
  datasync(): Promise<void>;
  /** Size, and the modification time when the file system tells it (used to date an unfinished write). */
  stat(): Promise<{ size: number; mtimeMs?: number }>;
  close(): Promise<void>;
  /**
   * A positional write performed at once (into the page cache: no wait for the disk), when the
   * file offers it. The store uses it without FileStoreSync to save the thread-pool round trips.
   */
  writeSync?(buffer: Buffer, offset: number, length: number, position: number): number;
  /** A truncation performed at once, when the file offers it (a reset without FileStoreSync). */
  truncateSync?(length: number): void;
}

/** Opens files and creates directories. */
export interface StoreFileSystem {
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  /** `flags` are numeric `O_*` flags. */
  open(path: string, flags: number, mode?: number): Promise<StoreFile>;
  /** Removes a file (the reset marker once a reset is complete). */
  unlink(path: string): Promise<void>;
  /**
   * Creates or replaces a small file at once (written over, then cut to length), when the file
   * system offers it: the reset marker of a reset without FileStoreSync.
   */
  writeSmallFileSync?(path: string, content: Buffer): void;
  /** `unlink` performed at once, when the file system offers it. */
  unlinkSync?(path: string): void;
}

/** A file of the real file system: a `FileHandle`, plus synchronous writes on its descriptor. */
class NodeStoreFile implements StoreFile {
  constructor(private readonly handle: fsp.FileHandle) {}

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    return this.handle.read(buffer, offset, length, position);
  }

  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }> {
    return this.handle.write(buffer, offset, length, position);
  }

  writeSync(buffer: Buffer, offset: number, length: number, position: number): number {
    return writeSync(this.handle.fd, buffer, offset, length, position);
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  truncateSync(length: number): void {
    ftruncateSync(this.handle.fd, length);
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  stat(): Promise<{ size: number; mtimeMs?: number }> {
    return this.handle.stat();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** The real file system. */
export const nodeFileSystem: StoreFileSystem = {
  mkdir: (path, options) => fsp.mkdir(path, options),
  open: async (path, flags, mode) => new NodeStoreFile(await fsp.open(path, flags, mode)),
  unlink: (path) => fsp.unlink(path),
  writeSmallFileSync: (path, content) => {
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT, 0o644);
    try {
      let done = 0;
      while (done < content.length) {
        const n = writeSync(fd, content, done, content.length - done, done);
        if (n <= 0) throw new Error('short write');
        done += n;
      }
      ftruncateSync(fd, content.length);
    } finally {
      closeSync(fd);
    }
  },
  unlinkSync: (path) => unlinkSync(path),
};

/** Reads a whole file through an open handle (small files: `.seqnums`, `.session`). */
export async function readAll(file: StoreFile): Promise<Buffer> {
  const { size } = await file.stat();
  const buf = Buffer.alloc(size);
  let done = 0;
  while (done < size) {
    const { bytesRead } = await file.read(buf, done, size - done, done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

/** Writes all of `buf` at `position`, looping over short writes. */
export async function writeAll(file: StoreFile, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await file.write(buf, done, buf.length - done, position + done);
    if (bytesWritten <= 0) throw new Error('short write');
    done += bytesWritten;
  }
}

/**
 * Writes the first `length` bytes of `buf` (all of it by default) at `position` at once when the
 * file can (`writeSync`), else through the promise API. Returns a promise only in the second case.
 */
export function writeAllNow(file: StoreFile, buf: Buffer, position: number, length = buf.length): Promise<void> | undefined {
  const write = file.writeSync;
  if (!write) return writeAll(file, length === buf.length ? buf : buf.subarray(0, length), position);
  let done = 0;
  while (done < length) {
    const n = write.call(file, buf, done, length - done, position + done);
    if (n <= 0) throw new Error('short write');
    done += n;
  }
  return undefined;
}

/** Reads exactly `length` bytes at `position`; fewer when the file ends first. */
export async function readAt(file: StoreFile, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}
