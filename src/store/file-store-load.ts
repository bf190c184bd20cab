/**
 * Reading a QuickFIX-format file store from disk: opens the four files and builds the in-memory
 * state (index, sequence numbers, creation time), detecting a torn or corrupt tail instead of
 * misreading it. Nothing is written here; the caller decides whether to repair.
 */
import { constants } from 'node:fs';
import { join } from 'node:path';
import { FileStoreError } from './file-store-error.js';
import { type HeaderRecord, HeaderParser, framedMessageAt, isCompleteMessage, parseCreationTime, parseSeqNums, truncateToSecond } from './file-store-format.js';
import { SeqIndex } from './file-store-index.js';
import { type BodyTail, type HeaderTail, checkStore } from './file-store-check.js';
import type { StoreRepair } from './store-repair.js';
import { type StoreFile, type StoreFileSystem, readAll, readAt } from './file-store-fs.js';

/** The four files of one session's store. */
export interface StoreFiles<T = StoreFile> {
  readonly body: T;
  readonly header: T;
  readonly seqnums: T;
  readonly session: T;
}

/** What loading found wrong and worked around (all zero/false/empty for a clean store). */
export interface FileStoreRecovery {
  /** Bytes of `.header` after the last kept record (torn or damaged records, garbage), cut off. */
  droppedHeaderBytes: number;
  /** Complete `.header` records dropped: pointing past the end of `.body` or at a damaged message. */
  droppedRecords: number;
  /** Bytes at the end of `.body` no record points at, cut off. */
  droppedBodyBytes: number;
  /** `.seqnums` was empty, unreadable or behind the stored messages: the numbers were rebuilt. */
  seqNumsRecovered: boolean;
  /** `.session` was torn or malformed: a new creation time was taken. */
  creationTimeRecovered: boolean;
  /** Each finding: file, offset, what is wrong, what the repair does, torn write or damage. */
  repairs: StoreRepair[];
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
  /** `.body` must be cut back to `bodySize` (it was `bodyFileSize`). */
  bodyFileSize: number;
  recovery: FileStoreRecovery;
  /**
   * A reset was interrupted (its marker is there): the state is the reset's, and the files must
   * still be cut back, the numbers written and the marker removed (`Batch.reset`).
   */
  resetPending: boolean;
}

/**
 * The reset marker, `<dir>/<prefix>.reset`: written (with the new creation time) before a reset
 * cuts the files back and removed once `.header`, `.body`, `.seqnums` and `.session` are the reset
 * state. A store opened while it is there was interrupted in the middle of a reset, and finishes it.
 */
export function resetMarkerPath(paths: StoreFiles<string>): string {
  return paths.session.slice(0, -'session'.length) + 'reset';
}

/** The creation time a reset marker holds (now, if unreadable), or null when there is no marker. */
async function readResetMarker(fs: StoreFileSystem, path: string, now: Date): Promise<Date | null> {
  const bytes = await readIfThere(fs, path);
  return bytes === null ? null : (parseCreationTime(bytes) ?? truncateToSecond(now));
}

/** A whole file, or null when it does not exist. */
async function readIfThere(fs: StoreFileSystem, path: string): Promise<Buffer | null> {
  let file: StoreFile;
  try {
    file = await fs.open(path, constants.O_RDONLY);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw FileStoreError.wrap('open-failed', 'open', path, e);
  }
  try {
    return await readAll(file);
  } finally {
    await file.close().catch(() => undefined);
  }
}

/**
 * The next sender number and creation time stored now (`.seqnums`, `.session`, a reset marker),
 * read without opening the store for writing or changing anything; creation time null when nothing
 * is stored yet; `fallback` for what cannot be read (torn, or being rewritten). For a node that
 * does not own a shared store.
 */
export async function peekStoredState(fs: StoreFileSystem, paths: StoreFiles<string>, fallback: { nextSenderSeq: number; creationTime: Date }): Promise<{ nextSenderSeq: number; creationTime: Date | null }> {
  const marker = await readResetMarker(fs, resetMarkerPath(paths), fallback.creationTime);
  if (marker) return { nextSenderSeq: 1, creationTime: marker };
  const seqBytes = await readIfThere(fs, paths.seqnums);
  const sessionBytes = await readIfThere(fs, paths.session);
  const seqNums = seqBytes ? parseSeqNums(seqBytes.toString('latin1')) : null;
  // No `.session` (or an empty one): nothing stored yet, whatever this process's store object says.
  if (sessionBytes === null || sessionBytes.length === 0) return { nextSenderSeq: seqNums?.sender ?? 1, creationTime: null };
  const created = parseCreationTime(sessionBytes);
  return { nextSenderSeq: seqNums?.sender ?? fallback.nextSenderSeq, creationTime: created ?? fallback.creationTime };
}

/** File names of a store: `<dir>/<prefix>.body|header|seqnums|session`. */
export function storePaths(dir: string, prefix: string): StoreFiles<string> {
  const base = join(dir || '.', `${prefix}.`);
  return { body: `${base}body`, header: `${base}header`, seqnums: `${base}seqnums`, session: `${base}session` };
}

const CHUNK = 1 << 20;
/**
 * `.header` is read and parsed this much at a time (about 3,000 records, a fraction of a
 * millisecond): a session loading or refreshing a large store yields between the pieces, so the
 * other sessions of the process keep being served.
 */
const HEADER_CHUNK = 64 * 1024;
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
    const marker = await readResetMarker(fs, resetMarkerPath(paths), now);
    return marker ? await resetState(files, paths, marker) : await readState(files, paths, now);
  } catch (e) {
    await closeAll(files);
    throw FileStoreError.wrap('open-failed', 'read', paths.header, e);
  }
}

async function readState(files: StoreFiles, paths: StoreFiles<string>, now: Date): Promise<LoadedStore> {
  // Read in the reverse of the order a flush writes them (.body, .header, then .seqnums): what a
  // writer sharing the store adds meanwhile is then above the .seqnums read, an unfinished flush.
  const seqStat = await files.seqnums.stat();
  const seqBytes = await readAll(files.seqnums);
  const seqNumsText = seqBytes.toString('latin1', 0, seqBytes.length);
  const seqNums = parseSeqNums(seqNumsText);
  const headerStat = await files.header.stat();
  const bodyStat = await files.body.stat();
  const bodySize = bodyStat.size;
  const headerFileSize = headerStat.size;
  const h = await readHeader(files, bodySize, headerFileSize);
  const headerTail = headerFileSize > h.tailStart ? await readHeaderTail(files.header, h.tailStart, headerFileSize) : null;
  const bodyTail = bodySize > h.indexedEnd ? await readBodyTail(files.body, h.indexedEnd, bodySize) : null;

  const newest = Math.max(headerStat.mtimeMs ?? 0, bodyStat.mtimeMs ?? 0);
  const seqNumsNewer = seqStat.mtimeMs !== undefined && seqStat.mtimeMs > newest;

  const sessionBytes = await readAll(files.session);
  let creationTime = parseCreationTime(sessionBytes);
  const creationTimeRecovered = !creationTime && sessionBytes.length > 0;
  creationTime ??= truncateToSecond(now);

  const check = checkStore({
    paths,
    bodySize,
    headerFileSize,
    index: h.index,
    headerEnd: h.headerEnd,
    damaged: h.damaged,
    pastEnd: h.pastEnd,
    headerTail,
    bodyTail,
    seqNums,
    seqNumsText,
    seqNumsNewer,
    creationTimeRenewed: creationTimeRecovered ? creationTime : null,
  });
  const keptBody = check.bodyEnd ?? bodySize;
  return {
    files,
    index: h.index,
    nextSender: check.nextSender,
    nextTarget: check.nextTarget,
    creationTime,
    bodySize: keptBody,
    bodyFileSize: bodySize,
    headerEnd: h.headerEnd,
    headerFileSize,
    seqNumsFileSize: seqBytes.length,
    writeSeqNums: check.writeSeqNums,
    writeSession: sessionBytes.length === 0 || creationTimeRecovered,
    resetPending: false,
    recovery: {
      droppedHeaderBytes: headerFileSize - h.headerEnd,
      droppedRecords: h.damaged.length + h.pastEnd.length,
      droppedBodyBytes: bodySize - keptBody,
      seqNumsRecovered: check.writeSeqNums && seqBytes.length + h.index.length + headerFileSize > 0,
      creationTimeRecovered,
      repairs: check.repairs,
    },
  };
}

/** The state of a store whose reset was interrupted: what the reset makes it. */
async function resetState(files: StoreFiles, paths: StoreFiles<string>, creationTime: Date): Promise<LoadedStore> {
  const [header, body, seqnums] = await Promise.all([files.header.stat(), files.body.stat(), files.seqnums.stat()]);
  return {
    files,
    index: new SeqIndex(),
    nextSender: 1,
    nextTarget: 1,
    creationTime,
    bodySize: 0,
    bodyFileSize: body.size,
    headerEnd: 0,
    headerFileSize: header.size,
    seqNumsFileSize: seqnums.size,
    writeSeqNums: true,
    writeSession: true,
    resetPending: true,
    recovery: {
      droppedHeaderBytes: header.size,
      droppedRecords: 0,
      droppedBodyBytes: body.size,
      seqNumsRecovered: false,
      creationTimeRecovered: false,
      repairs: [
        {
          file: resetMarkerPath(paths),
          problem: 'a reset was interrupted (its marker is still there)',
          repair: `finishing it: ${header.size} bytes of .header and ${body.size} of .body cut, sequence numbers 1 and 1`,
          torn: true,
        },
      ],
    },
  };
}

/** What `.header` holds: the kept records (indexed) and those dropped. */
interface HeaderScan {
  index: SeqIndex;
  /** End of the kept records in `.header`. */
  headerEnd: number;
  /** End in `.body` of the indexed messages. */
  indexedEnd: number;
  /** Where bytes that are not records start (the file size when there are none). */
  tailStart: number;
  /** Records at the end whose message bytes are not a complete FIX message. */
  damaged: HeaderRecord[];
  /** The first record pointing past the end of `.body` and every one after it. */
  pastEnd: HeaderRecord[];
}

/**
 * Parses `.header` into the index. Records are inserted with a lag of TAIL_WINDOW so that the
 * last ones can be vetted against `.body` (complete FIX message, checksum) and dropped if torn.
 */
async function readHeader(files: StoreFiles, bodySize: number, size: number): Promise<HeaderScan> {
  const index = new SeqIndex();
  const parser = new HeaderParser();
  // The last TAIL_WINDOW records, in a ring of numbers (no object per record): [seq, offset, size, end].
  const ring = new Float64Array(4 * TAIL_WINDOW);
  let ringStart = 0;
  let ringCount = 0;
  const pastEnd: HeaderRecord[] = [];
  const damaged: HeaderRecord[] = [];
  let insertedEnd = 0;
  let indexedEnd = 0;
  const insert = (seq: number, offset: number, length: number): void => {
    index.set(seq, offset, length);
    indexedEnd = Math.max(indexedEnd, offset + length);
  };
  const recordAt = (k: number): HeaderRecord => {
    const at = 4 * ((ringStart + k) % TAIL_WINDOW);
    return { seq: ring[at], offset: ring[at + 1], size: ring[at + 2], end: ring[at + 3] };
  };
  const onRecord = (seq: number, offset: number, length: number, end: number): void => {
    if (pastEnd.length > 0 || offset + length > bodySize) {
      pastEnd.push({ seq, offset, size: length, end });
      return;
    }
    if (ringCount === TAIL_WINDOW) {
      const at = 4 * ringStart;
      insert(ring[at], ring[at + 1], ring[at + 2]);
      insertedEnd = ring[at + 3];
      ringStart = (ringStart + 1) % TAIL_WINDOW;
      ringCount--;
    }
    const at = 4 * ((ringStart + ringCount) % TAIL_WINDOW);
    ring[at] = seq;
    ring[at + 1] = offset;
    ring[at + 2] = length;
    ring[at + 3] = end;
    ringCount++;
  };
  // One buffer for every chunk: the parser keeps nothing of it.
  const chunk = Buffer.allocUnsafe(Math.min(HEADER_CHUNK, size));
  for (let pos = 0; pos < size; ) {
    const { bytesRead } = await files.header.read(chunk, 0, Math.min(HEADER_CHUNK, size - pos), pos);
    if (bytesRead === 0) break;
    parser.scan(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead), onRecord);
    pos += bytesRead;
  }
  const window: HeaderRecord[] = [];
  for (let k = 0; k < ringCount; k++) window.push(recordAt(k));
  while (window.length > 0) {
    const last = window[window.length - 1];
    if (isCompleteMessage(await readAt(files.body, last.offset, last.size))) break;
    damaged.unshift(window.pop()!);
  }
  for (const r of window) insert(r.seq, r.offset, r.size);
  const headerEnd = window.length > 0 ? window[window.length - 1].end : insertedEnd;
  return { index, headerEnd, indexedEnd, tailStart: parser.validEnd, damaged, pastEnd };
}

/** Looks at the bytes of `.header` from `start` that are not records (up to 1 MiB of them). */
async function readHeaderTail(file: StoreFile, start: number, size: number): Promise<HeaderTail> {
  const text = (await readAt(file, start, Math.min(CHUNK, size - start))).toString('latin1').trim();
  const tokens = text.length === 0 ? [] : text.split(/\s+/);
  let records = 0;
  let maxSeq = 0;
  for (const t of tokens) {
    const m = /^(\d{1,10}),\d{1,16},\d{1,10}$/.exec(t);
    if (!m) continue;
    records++;
    maxSeq = Math.max(maxSeq, Number(m[1]));
  }
  // One token, no longer than a record: a record cut short by a crash.
  return { start, bytes: size - start, torn: tokens.length <= 1 && text.length <= 40, records, maxSeq };
}

/** Finds the FIX messages in `.body` from `start` (bytes no kept record points at). */
async function readBodyTail(file: StoreFile, start: number, size: number): Promise<BodyTail> {
  let pos = start;
  let want = CHUNK;
  let messages = 0;
  let minSeq = Infinity;
  let maxSeq = 0;
  let unreadable = 0;
  while (pos < size) {
    const length = Math.min(want, size - pos);
    const buf = await readAt(file, pos, length);
    // Fewer bytes than asked: the file was cut meanwhile (a writer sharing the store reset it).
    // It ends where the read ended; reading on at the old size would find nothing for ever.
    if (buf.length < length) size = pos + buf.length;
    let at = 0;
    let stuck = false;
    while (at < buf.length) {
      const m = framedMessageAt(buf, at);
      if (m === 'more') break;
      if (m === null) {
        stuck = true;
        break;
      }
      messages++;
      if (m.seq > 0) {
        minSeq = Math.min(minSeq, m.seq);
        maxSeq = Math.max(maxSeq, m.seq);
      }
      at += m.size;
    }
    if (stuck || (at === 0 && buf.length === size - pos)) {
      unreadable = size - pos - at;
      break;
    }
    want = at === 0 ? want * 2 : CHUNK;
    pos += at;
  }
  return { start, messages, minSeq: messages > 0 && maxSeq > 0 ? minSeq : 0, maxSeq, unreadable };
}
