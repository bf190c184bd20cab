/**
 * The slice of the file system a file store uses, so tests can count fsyncs or inject failures.
 * `node:fs/promises` satisfies it as is.
 */
import * as fsp from 'node:fs/promises';

/** An open file: positional reads and writes, truncation, fsync. A `FileHandle` is one. */
export interface StoreFile {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  truncate(length: number): Promise<void>;
  /** fdatasync: what `FileStoreSync=Y` calls once per flush and file. */
  datasync(): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** Opens files and creates directories. */
export interface StoreFileSystem {
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  /** `flags` are numeric `O_*` flags. */
  open(path: string, flags: number, mode?: number): Promise<StoreFile>;
}

/** The real file system. */
export const nodeFileSystem: StoreFileSystem = {
  mkdir: (path, options) => fsp.mkdir(path, options),
  open: (path, flags, mode) => fsp.open(path, flags, mode),
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
