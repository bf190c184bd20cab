/**
 * Reading a QuickFIX-format file store from disk: opens the four files and builds the in-memory
 * state (index, sequence numbers, creation time), detecting a torn or corrupt tail instead of
 * misreading it. Nothing is written here; the caller decides whether to repair.
 */
import { constants } from 'node:fs';
import { join } from 'node:path';
import { FileStoreError } from './file-store-error.js';
import { type HeaderRecord, HeaderParser, isCompleteMessage, parseCreationTime, parseSeqNums, truncateToSecond } from './file-store-format.js';
import { SeqIndex } from './file-store-index.js';
import { type StoreFile, type StoreFileSystem, readAll, readAt } from './file-store-fs.js';

/** The four files of one session's store. */
export interface StoreFiles<T = StoreFile> {
  readonly body: T;
  readonly header: T;
  readonly seqnums: T;
  readonly session: T;
}

/** What loading found wrong and worked around (all zero/false for a clean store). */
export interface FileStoreRecovery {
  /** Bytes after the last valid `.header` record (a torn record or garbage), ignored. */
  droppedHeaderBytes: number;
  /** Complete `.header` records dropped: pointing past the end of `.body` or at a torn message. */
  droppedRecords: number;
  /** `.seqnums` was torn or malformed: next sender rebuilt from the index, next target set to 1. */
  seqNumsRecovered: boolean;
  /** `.session` was torn or malformed: a new creation time was taken. */
  creationTimeRecovered: boolean;
}

/** The state read from disk. */
export interface LoadedStore {
  files: StoreFiles;
  index: SeqIndex;
  nextSender: number;
  nextTarget: number;
  creationTime: Date;
  /** Size of `.body` (new messages are appended there). */
  bodySize: number;
  /** End of the valid prefix of `.header` (new records are written there). */
  headerEnd: number;
  /** Actual size of `.header`; larger than `headerEnd` when a tail must be cut off. */
  headerFileSize: number;
  /** Size of `.seqnums`. */
  seqNumsFileSize: number;
  /** `.seqnums` must be (re)written. */
  writeSeqNums: boolean;
  /** `.session` must be (re)written. */
  writeSession: boolean;
  recovery: FileStoreRecovery;
}

/** File names of a store: `<dir>/<prefix>.body|header|seqnums|session`. */
export function storePaths(dir: string, prefix: string): StoreFiles<string> {
  const base = join(dir || '.', `${prefix}.`);
  return { body: `${base}body`, header: `${base}header`, seqnums: `${base}seqnums`, session: `${base}session` };
}

const CHUNK = 1 << 20;
/** How many records from the end of `.header` are vetted against the message bytes. */
const TAIL_WINDOW = 8;

/** Closes files, ignoring errors (cleanup paths). */
export async function closeAll(files: Partial<StoreFiles>): Promise<void> {
  await Promise.all(Object.values(files).map((f) => f?.close().catch(() => undefined)));
}

async function openAll(fs: StoreFileSystem, paths: StoreFiles<string>): Promise<StoreFiles> {
  const flags = constants.O_RDWR | constants.O_CREAT;
  const opened: Partial<Record<keyof StoreFiles, StoreFile>> = {};
  try {
    for (const key of ['body', 'header', 'seqnums', 'session'] as const) {
      opened[key] = await fs.open(paths[key], flags, 0o644).catch((e: unknown) => {
        throw FileStoreError.wrap('open-failed', 'open', paths[key], e);
      });
    }
  } catch (e) {
    await closeAll(opened);
    throw e;
  }
  return opened as StoreFiles;
}

/** Opens and reads a store. `now` is the creation time used when `.session` is missing. */
export async function loadStore(fs: StoreFileSystem, paths: StoreFiles<string>, now: Date): Promise<LoadedStore> {
  const files = await openAll(fs, paths);
  try {
    return await readState(files, now);
  } catch (e) {
    await closeAll(files);
    throw FileStoreError.wrap('open-failed', 'read', paths.header, e);
  }
}

async function readState(files: StoreFiles, now: Date): Promise<LoadedStore> {
  const recovery: FileStoreRecovery = { droppedHeaderBytes: 0, droppedRecords: 0, seqNumsRecovered: false, creationTimeRecovered: false };
  const bodySize = (await files.body.stat()).size;
  const headerFileSize = (await files.header.stat()).size;
  const { index, headerEnd, dropped } = await readHeader(files, bodySize, headerFileSize);
  recovery.droppedRecords = dropped;
  recovery.droppedHeaderBytes = headerFileSize - headerEnd;

  const seqBytes = await readAll(files.seqnums);
  const seq = parseSeqNums(seqBytes.toString('latin1', 0, seqBytes.length));
  let nextSender = seq?.sender ?? 1;
  let nextTarget = seq?.target ?? 1;
  const fresh = seqBytes.length === 0 && index.length === 0 && headerFileSize === 0;
  if (!seq && !fresh) {
    recovery.seqNumsRecovered = true;
    nextSender = index.lastSeq + 1;
    nextTarget = 1;
  }

  const sessionBytes = await readAll(files.session);
  let creationTime = parseCreationTime(sessionBytes);
  if (!creationTime) {
    if (sessionBytes.length > 0) recovery.creationTimeRecovered = true;
    creationTime = truncateToSecond(now);
  }
  return {
    files,
    index,
    nextSender,
    nextTarget,
    creationTime,
    bodySize,
    headerEnd,
    headerFileSize,
    seqNumsFileSize: seqBytes.length,
    writeSeqNums: !seq,
    writeSession: sessionBytes.length === 0 || recovery.creationTimeRecovered,
    recovery,
  };
}

/**
 * Parses `.header` into the index. Records are inserted with a lag of TAIL_WINDOW so that the
 * last ones can be vetted against `.body` (complete FIX message, checksum) and dropped if torn.
 */
async function readHeader(files: StoreFiles, bodySize: number, size: number): Promise<{ index: SeqIndex; headerEnd: number; dropped: number }> {
  const index = new SeqIndex();
  const parser = new HeaderParser();
  const window: HeaderRecord[] = [];
  let insertedEnd = 0;
  let dropped = 0;
  let stop = false;
  for (let pos = 0; pos < size && !stop; pos += CHUNK) {
    const chunk = await readAt(files.header, pos, Math.min(CHUNK, size - pos));
    for (const rec of parser.push(chunk)) {
      if (rec.offset + rec.size > bodySize) {
        dropped++;
        stop = true;
        break;
      }
      window.push(rec);
      if (window.length > TAIL_WINDOW) {
        const r = window.shift()!;
        index.set(r.seq, r.offset, r.size);
        insertedEnd = r.end;
      }
    }
  }
  while (window.length > 0) {
    const last = window[window.length - 1];
    if (isCompleteMessage(await readAt(files.body, last.offset, last.size))) break;
    window.pop();
    dropped++;
  }
  for (const r of window) index.set(r.seq, r.offset, r.size);
  const headerEnd = window.length > 0 ? window[window.length - 1].end : insertedEnd;
  return { index, headerEnd, dropped };
}
