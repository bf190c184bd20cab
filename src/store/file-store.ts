/**
 * A message store in QuickFIX C++'s file format (`FileStorePath`): `<prefix>.body`, `.header`,
 * `.seqnums` and `.session`, where prefix is `BeginString-SenderCompID-TargetCompID[-Qualifier]`.
 * A store written by QuickFIX is picked up as is, and QuickFIX can read one written here.
 *
 * Writes are buffered in memory and performed by `flush()`, in order: message bytes, header
 * records and sequence numbers with one positional write() each, made at once into the page
 * cache (no wait for the disk, no thread-pool round trip; QuickFIX writes the same way), while
 * truncations, reads and fdatasync go through async file handles. With `sync` (`FileStoreSync=Y`) a flush ends with one
 * fdatasync per file it touched (at most `.body`, `.header`, `.seqnums`), covering every message
 * written since the previous flush (group commit); flush() calls made while a flush is running
 * share the next one. After a crash, what was
 * flushed is there and a torn last write is dropped on reopen. Opening checks the files against each
 * other (file-store-check.ts): damage beyond a torn last write refuses the open (StoreDamagedError)
 * unless `recoveryPolicy` is `repair`; every repair is in `FileStore.repairs`.
 */
import { constants } from 'node:fs';
import { countWithin, type MessageStore, type MessageStoreFactory, type RangeLimit, type StoredMessage, type StoredState } from './store.js';
import { StoreFencedError, type StoreFence } from '../fencing/ownership.js';
import { FileStoreError } from './file-store-error.js';
import { SEQNUMS_LENGTH, formatCreationTime, truncateToSecond, writeSeqNumsBytes } from './file-store-format.js';
import type { IndexEntry, SeqIndex } from './file-store-index.js';
import { type StoreFile, type StoreFileSystem, nodeFileSystem, writeAll, writeAllNow } from './file-store-fs.js';
import { readMessages } from './file-store-read.js';
import { type FileStoreRecovery, type LoadedStore, type StoreFiles, closeAll, loadStore, peekStoredState, resetMarkerPath, storePaths } from './file-store-load.js';
import { Batch } from './file-store-batch.js';
import { MessageCache } from './file-store-cache.js';
import { checkSeqNum, checkStoredSeqNum } from './seq-num.js';
import { type StoreRecoveryPolicy, type StoreRepair, applyPolicy } from './store-repair.js';

export type { FileStoreRecovery } from './file-store-load.js';

/** Options of one file store. QuickFIX setting names in brackets. */
export interface FileStoreOptions {
  /** Directory of the store files, created when missing [`FileStorePath`]. */
  path: string;
  /** File name prefix, normally `SessionID.filePrefix`. */
  prefix: string;
  /** fdatasync on every flush (group commit) [`FileStoreSync`, default false]. */
  sync?: boolean;
  /**
   * Recent outgoing messages kept in memory for resends [`FileStoreMaxCachedMsgs`, default 10000].
   * They are held in one ring of bytes of at most 64 MiB (so fewer when messages are larger than
   * about 6 KiB on average); others are read from `.body`.
   */
  maxCachedMsgs?: number;
  /** File system to use (tests inject one to count fsyncs or fail writes). @internal */
  fs?: StoreFileSystem;
  /** Clock for the creation time of a new store. */
  now?: () => Date;
  /** Told when opening or refreshing had to work around a torn or corrupt file. */
  onRecovery?: (recovery: FileStoreRecovery, prefix: string) => void;
  /**
   * What to do when opening or refreshing finds damage beyond a torn last write [`StoreRecovery`]:
   * `refuse` (default) throws StoreDamagedError naming each file, offset and problem; `repair`
   * drops what cannot be read and sets the next sender number past the highest stored message.
   * A torn last write is repaired either way; every repair is in `recovery.repairs`.
   */
  recoveryPolicy?: StoreRecoveryPolicy;
  /**
   * The directory is shared with other nodes (session ownership): opening writes nothing, not even
   * the repair of a torn tail, since what looks torn may be another node's write in progress. The
   * owner makes repairs after it took the session and refreshed (under its `fence`).
   */
  shared?: boolean;
}


/** How long a shared store's open waits before it looks again at what seems damaged. */
const SHARED_RECHECK_MS = 100;

/** A durable, QuickFIX-compatible message store. Create it with `FileStore.open`. */
export class FileStore implements MessageStore {
  private files!: StoreFiles;
  private index!: SeqIndex;
  private nextSender = 1;
  private nextTarget = 1;
  private created = new Date(0);
  /** Logical sizes, including writes not yet flushed. */
  private bodySize = 0;
  private headerSize = 0;
  /** Bytes of `.body` known to be on disk (reads beyond need a flush first). */
  private flushedBody = 0;
  private seqNumsFileSize = 0;
  private pending!: Batch;
  /** A batch written by `flushNow`, kept for reuse by the next `take`. */
  private spare: Batch | null = null;
  private readonly cache: MessageCache;
  private readonly fs: StoreFileSystem;
  private readonly paths: StoreFiles<string>;
  /** Bumped by reset and refresh: results of older writes no longer apply. */
  private generation = 0;
  /** Serialises flushes, reads, refreshes and close. */
  private tail: Promise<unknown> = Promise.resolve();
  private queued: Promise<void> | null = null;
  /** Operations queued in `serial` and not finished. */
  private busy = 0;
  private inflight: Promise<void> | null = null;
  /** Mutations made while a refresh is reading, replayed on the new state. */
  private replay: Array<() => void> | null = null;
  private closed = false;
  /** Nothing changed (or was queued) since the last open or refresh loaded the files (see `adoptLoaded`). */
  private asLoaded = false;
  private lastRecovery!: FileStoreRecovery;
  /** Reused by `writeRecords` for header records and the `.seqnums` text. */
  private readonly scratch = { buf: Buffer.allocUnsafe(256) };
  private readonly seqNumsBytes = Buffer.alloc(SEQNUMS_LENGTH);

  private constructor(private readonly options: FileStoreOptions) {
    this.fs = options.fs ?? nodeFileSystem;
    this.cache = new MessageCache(Math.max(0, Math.floor(options.maxCachedMsgs ?? 10_000)));
    this.paths = storePaths(options.path, options.prefix);
  }

  /** Opens (creating the directory and files when missing) and loads a store. */
  static async open(options: FileStoreOptions): Promise<FileStore> {
    const store = new FileStore(options);
    const dir = options.path || '.';
    await store.fs.mkdir(dir, { recursive: true }).catch((e: unknown) => {
      throw FileStoreError.wrap('open-failed', 'create directory', dir, e);
    });
    let loaded = await loadStore(store.fs, store.paths, store.now());
    if (options.shared && loaded.recovery.repairs.some((r) => !r.torn)) {
      // Another node may be in the middle of cutting files back (a reset): look again once.
      await closeAll(loaded.files);
      await new Promise((resolve) => setTimeout(resolve, SHARED_RECHECK_MS));
      loaded = await loadStore(store.fs, store.paths, store.now());
    }
    await store.vet(loaded);
    store.install(loaded);
    try {
      if (options.shared) store.pending.epoch = 0; // never written; dropped by the first refresh
      else await store.writeBatch(store.take());
      if (options.sync) await store.syncDirectory(dir);
    } catch (e) {
      await closeAll(loaded.files);
      throw FileStoreError.wrap('open-failed', 'repair', store.paths.header, e);
    }
    store.report();
    return store;
  }

  /** When the store was created or last reset (whole seconds, as stored in `.session`). */
  get creationTime(): Date {
    return new Date(this.created.getTime());
  }

  /** What the last open or refresh found torn or corrupt and dropped. */
  get recovery(): FileStoreRecovery {
    return { ...this.lastRecovery, repairs: [...this.lastRecovery.repairs] };
  }

  /** What the last open or refresh repaired (torn writes, or damage under `recoveryPolicy: 'repair'`). */
  get repairs(): readonly StoreRepair[] {
    return this.lastRecovery.repairs;
  }

  /** Memory held by the sequence index, in bytes (2 per stored message while they are stored in order, 16 once not). */
  get indexBytes(): number {
    return this.index.byteSize;
  }

  /** Number of stored messages indexed. */
  get messageCount(): number {
    return this.index.length;
  }

  /** Number of message bodies held in the cache (at most `maxCachedMsgs`). */
  get cachedMessages(): number {
    return this.cache.size;
  }

  /** The file names used. @internal */
  get fileNames(): StoreFiles<string> {
    return this.paths;
  }

  getNextSenderSeq(): number {
    return this.nextSender;
  }

  getNextTargetSeq(): number {
    return this.nextTarget;
  }

  setNextSenderSeq(seq: number): void {
    this.mutate(() => {
      this.nextSender = checkSeqNum(seq);
      this.pending.seqNums = true;
    });
  }

  setNextTargetSeq(seq: number): void {
    checkSeqNum(seq);
    this.mutateWith(this.applyNextTarget, seq, undefined);
  }

  private applyNextTarget(seq: number): void {
    this.nextTarget = seq;
    this.pending.seqNums = true;
  }

  saveOutgoing(seq: number, bytes: Buffer): void {
    checkStoredSeqNum(seq);
    this.mutateWith(this.applyOutgoing, seq, bytes);
  }

  private applyOutgoing(seq: number, bytes: Buffer): void {
    const offset = this.bodySize;
    this.pending.addBody(bytes);
    this.headerSize += this.pending.addHeader(seq, offset, bytes.length);
    this.bodySize += bytes.length;
    this.index.set(seq, offset, bytes.length);
    this.cache.set(seq, bytes);
    this.nextSender = seq + 1;
    this.pending.seqNums = true;
  }

  async getRange(begin: number, end: number, limit?: RangeLimit): Promise<StoredMessage[]> {
    this.assertOpen();
    if (end < begin) return [];
    return this.serial(() => this.readRange(begin, end, limit));
  }

  reset(now: Date = this.now()): void {
    this.mutate(() => {
      // Nothing stored, nothing to cut and no other write in progress or queued: the files are empty.
      const empty = this.bodySize === 0 && this.headerSize === 0 && this.busy === 0 && this.inflight === null && !this.pending.reset && !this.pending.truncateHeader && !this.pending.truncateBody;
      this.generation++;
      this.index.clear();
      this.cache.clear();
      this.nextSender = 1;
      this.nextTarget = 1;
      this.created = truncateToSecond(now);
      this.bodySize = 0;
      this.headerSize = 0;
      this.flushedBody = 0;
      this.pending = new Batch(0, 0);
      this.pending.reset = true;
      this.pending.cuts = !empty;
      this.pending.session = this.created;
      this.pending.seqNums = true;
    });
  }

  /**
   * Re-reads everything from disk (another process may have written it): writes still pending
   * are completed first, the new state is built aside and swapped in at once, and changes made
   * while it was being read are applied on top of it.
   */
  async refresh(): Promise<void> {
    this.assertOpen();
    await this.serial(async () => {
      this.replay = [];
      let loaded: LoadedStore;
      try {
        // Writes made under an earlier ownership (or none) are dropped: the store is the truth now.
        if (!this.pending.empty && !this.staleBatch(this.pending)) await this.writePending();
        loaded = await loadStore(this.fs, this.paths, this.now());
        await this.vet(loaded);
      } catch (e) {
        this.replay = null;
        throw e;
      }
      const old = this.files;
      const replay = this.replay;
      this.replay = null;
      this.install(loaded);
      for (const op of replay) op();
      if (replay.length > 0) this.asLoaded = false;
      await closeAll(old);
      this.report();
    });
  }

  /**
   * Takes the state the last open or refresh loaded as the files' state now, without reading them
   * again, when the caller knows that nobody wrote them since (a session took its ownership over
   * from the owner record that was at rest when the store was loaded). The writes a shared open
   * left pending (the repair of a torn tail, a new store's numbers) are made under the ownership
   * now held, as after a refresh. Returns false, changing nothing, when something changed or was
   * queued since the load: then `refresh` is needed.
   */
  adoptLoaded(): boolean {
    this.assertOpen();
    if (!this.asLoaded || this.busy > 0) return false;
    // A shared open marked its batch as made without ownership (epoch 0), empty or not: nothing
    // would ever be written from it. Under the ownership now held, like a fresh batch after a refresh.
    this.pending.epoch = !this.pending.empty && this.fence ? this.fence.epoch : -1;
    this.asLoaded = false;
    return true;
  }

  /**
   * The next sender number and creation time in the files now (`.seqnums`, `.session`), read
   * without writing or reloading; this object's own values stand in for what cannot be read.
   */
  async peekStored(): Promise<StoredState> {
    this.assertOpen();
    return peekStoredState(this.fs, this.paths, { nextSenderSeq: this.nextSender, creationTime: this.creationTime });
  }

  flush(): Promise<void> {
    if (this.queued) return this.queued;
    if (this.pending.empty) return this.inflight ?? Promise.resolve();
    const p = this.serial(() => {
      this.queued = null;
      return this.writePending();
    });
    this.queued = p;
    return p;
  }

  /**
   * Performs the pending writes at once when nothing has to be waited for: no other operation in
   * progress, only message, header and sequence-number writes (into the page cache, as `flush`
   * makes them without `sync`) and an ownership fence that can confirm at once. Returns true when
   * everything written so far is in the files, false when `flush()` is needed. Throws what `flush`
   * would reject with.
   */
  flushNow(): boolean {
    if (this.busy > 0 || this.queued || this.inflight || this.closed) return false;
    const b = this.pending;
    if (b.empty) return true;
    if (this.options.sync || b.reset || b.truncateHeader || b.truncateBody || b.session || b.epoch === 0) return false;
    const f = this.files;
    if (!f.body.writeSync || !f.header.writeSync || !f.seqnums.writeSync) return false;
    const fence = this.fence;
    if (fence && !fence.checkNow?.(b.epoch === -1 ? fence.epoch : b.epoch)) return false;
    // `.seqnums` of another length is cut to size, which waits.
    if (b.seqNums && this.seqNumsFileSize !== SEQNUMS_LENGTH) return false;
    const batch = this.take();
    try {
      this.writeRecords(batch, fence);
    } catch (e) {
      throw this.failed(batch, e);
    }
    this.flushedBody = Math.max(this.flushedBody, batch.bodyEnd);
    // Written and referenced nowhere else: the next `take` reuses it.
    this.spare = batch;
    return true;
  }

  /**
   * Flushes and closes the files; the store cannot be used afterwards. Writes made without
   * ownership of a shared store are dropped, not reported as fenced (nothing was owned to lose).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.serial(async () => {
      if (this.closed) return;
      try {
        // Writes made while this node did not own the session (the repairs found at a shared open,
        // when no connection ever took the session) are not ours to make: dropped, as refresh drops them.
        if (!this.pending.empty && !this.staleBatch(this.pending)) await this.writePending();
      } finally {
        this.closed = true;
        await closeAll(this.files);
      }
    });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private assertOpen(): void {
    if (this.closed) throw new FileStoreError('closed', `file store ${this.options.prefix} is closed`, this.paths.body);
  }

  /**
   * Applies a synchronous change; during a refresh it is also replayed on the reloaded state. With a
   * fence, the pending batch carries the ownership epoch of its changes (0 if they span several).
   */
  private mutate(op: () => void): void {
    this.assertOpen();
    this.asLoaded = false;
    op();
    this.stamp();
    this.replay?.push(op);
  }

  /**
   * `mutate` for the two changes made for every message (a method and its arguments): no closure
   * is made unless a refresh is reading.
   */
  private mutateWith<A, B>(apply: (this: FileStore, a: A, b: B) => void, a: A, b: B): void {
    this.assertOpen();
    this.asLoaded = false;
    apply.call(this, a, b);
    this.stamp();
    this.replay?.push(() => apply.call(this, a, b));
  }

  private stamp(): void {
    if (!this.fence) return;
    const e = this.fence.epoch;
    const b = this.pending;
    if (b.epoch === -1) b.epoch = e;
    else if (b.epoch !== e) b.epoch = 0;
  }

  /** Refuses a loaded store with damage beyond a torn last write unless the policy is to repair (closing its files). */
  private async vet(s: LoadedStore): Promise<void> {
    try {
      applyPolicy(this.options.prefix, s.recovery.repairs, this.options.recoveryPolicy ?? 'refuse');
    } catch (e) {
      await closeAll(s.files);
      throw e;
    }
  }

  private install(s: LoadedStore): void {
    this.generation++;
    this.files = s.files;
    this.index = s.index;
    this.nextSender = s.nextSender;
    this.nextTarget = s.nextTarget;
    this.created = s.creationTime;
    this.bodySize = s.bodySize;
    this.flushedBody = s.bodySize;
    this.headerSize = s.headerEnd;
    this.seqNumsFileSize = s.seqNumsFileSize;
    this.cache.clear();
    this.pending = new Batch(s.bodySize, s.headerEnd);
    this.pending.truncateHeader = s.headerFileSize > s.headerEnd;
    this.pending.truncateBody = s.bodyFileSize > s.bodySize;
    this.pending.seqNums = s.writeSeqNums;
    if (s.writeSession) this.pending.session = s.creationTime;
    // An interrupted reset is finished by the next write (the marker stays until it is).
    this.pending.reset = s.resetPending;
    // Repairs found by this load are ours to make only while we own the session.
    if (this.fence && !this.pending.empty) this.pending.epoch = this.fence.epoch;
    this.lastRecovery = s.recovery;
    this.asLoaded = true;
  }

  private report(): void {
    const r = this.lastRecovery;
    if (r.repairs.length > 0) {
      this.options.onRecovery?.({ ...r, repairs: [...r.repairs] }, this.options.prefix);
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    this.asLoaded = false;
    this.busy++;
    const p = this.tail.then(fn);
    const done = (): void => {
      this.busy--;
    };
    this.tail = p.then(done, done);
    return p;
  }

  /** Takes the pending writes (with the sequence numbers of this moment). */
  private take(): Batch {
    const batch = this.pending;
    if (batch.seqNums) {
      batch.nextSender = this.nextSender;
      batch.nextTarget = this.nextTarget;
    }
    const spare = this.spare;
    this.spare = null;
    this.pending = spare ? spare.reuse(this.bodySize, this.headerSize) : new Batch(this.bodySize, this.headerSize);
    return batch;
  }

  /** Writes what is pending (called inside `serial`). On failure it stays pending for a retry. */
  private writePending(): Promise<void> {
    const batch = this.take();
    const generation = this.generation;
    const p = this.writeBatch(batch).then(
      () => {
        if (generation === this.generation) this.flushedBody = Math.max(this.flushedBody, batch.bodyEnd);
      },
      (e: unknown) => {
        throw this.failed(batch, e);
      },
    );
    this.inflight = p;
    const clear = (): void => {
      if (this.inflight === p) this.inflight = null;
    };
    p.then(clear, clear);
    return p;
  }

  /** A batch failed: it stays pending for a retry, unless fenced (dropped: never written later). */
  private failed(batch: Batch, e: unknown): unknown {
    if (e instanceof StoreFencedError) return e;
    this.pending = batch.merge(this.pending);
    return FileStoreError.wrap('io', 'write', this.paths.body, e);
  }

  /**
   * Set by session ownership: each batch is written only if the epoch its writes were made under
   * still owns the session (checked against the owner record before the batch, see `StoreFence`).
   * @internal
   */
  fence: StoreFence | null = null;

  /** Checks every batch against this ownership's epoch before writing it (sets `fence`). @internal */
  fenceBy(fence: StoreFence): void {
    this.fence = fence;
  }

  /** Made without ownership, or under an ownership epoch that is no longer ours. */
  private staleBatch(b: Batch): boolean {
    return b.epoch === 0 || (this.fence !== null && b.epoch !== -1 && b.epoch !== this.fence.epoch);
  }

  /**
   * Performs a batch in crash-safe order: cut `.header` before `.body` (no record may point at
   * missing bytes), message bytes before their header records, sequence numbers last.
   */
  private async writeBatch(b: Batch): Promise<void> {
    if (b.empty) return;
    const fence = this.fence;
    if (b.epoch === 0) throw new StoreFencedError(0, undefined, 'writes made while this node did not own the session are dropped');
    if (fence) await fence.check(b.epoch === -1 ? fence.epoch : b.epoch);
    const f = this.files;
    const touched = new Set<StoreFile>();
    if (b.reset && !this.options.sync && this.resetNow(b)) {
      // Made at once (below).
    } else if (b.reset) {
      // The marker first: a crash between the cuts below leaves a store that finishes the reset
      // when it opens, instead of one whose .header and .body disagree.
      const marker = resetMarkerPath(this.paths);
      await this.writeSmallFile(marker, Buffer.from(formatCreationTime(b.session ?? this.created), 'latin1'));
      await f.header.truncate(0);
      await f.body.truncate(0);
      await this.writeSeqNums(1, 1);
      if (b.session) await this.writeSession(b.session);
      if (this.options.sync) await Promise.all([f.header, f.body, f.seqnums, f.session].map((file) => file.datasync()));
      await this.fs.unlink(marker).catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw FileStoreError.wrap('io', 'remove', marker, e);
      });
      if (this.options.sync) await this.syncDirectory(this.options.path || '.');
    } else {
      if (b.truncateHeader) {
        await f.header.truncate(b.headerPos);
        touched.add(f.header);
      }
      if (b.truncateBody) {
        await f.body.truncate(b.bodyPos);
        touched.add(f.body);
      }
    }
    assertHeld(fence);
    if (b.session && !b.reset) {
      await this.writeSession(b.session);
      touched.add(f.session);
    }
    assertHeld(fence);
    await this.writeRecords(b, fence);
    if (b.headerBytes > 0) touched.add(f.body).add(f.header);
    if (b.seqNums) touched.add(f.seqnums);
    if (this.options.sync) await Promise.all([...touched].map((file) => file.datasync()));
  }

  /**
   * Message bytes, their header records, then the sequence numbers, checking between the writes
   * that a node paused past its lease stops there. Made at once when the files allow it (returns
   * undefined; `flushNow` relies on that, once for every message a session sends one at a time),
   * else continues after each write that returns a promise. Header records and `.seqnums` are
   * written from reused buffers: writes are serialised, so none is in use by another.
   */
  private writeRecords(b: Batch, fence: StoreFence | null, from = 0): Promise<void> | undefined {
    const f = this.files;
    for (let step = from; step < 3; step++) {
      let written: Promise<void> | undefined;
      if (step === 0) {
        if (b.headerBytes > 0 && b.bodyBytes > 0) written = writeAllNow(f.body, b.bodyBuffer(), b.bodyPos);
      } else if (step === 1) {
        if (b.headerBytes === 0) continue;
        assertHeld(fence);
        written = writeAllNow(f.header, b.headerInto(this.scratch), b.headerPos, b.headerBytes);
      } else {
        if (!b.seqNums) continue;
        assertHeld(fence);
        written = this.writeSeqNums(b.nextSender, b.nextTarget);
      }
      if (written) return written.then(() => this.writeRecords(b, fence, step + 1));
    }
    return undefined;
  }

  /**
   * A reset's writes without FileStoreSync, in the order `writeBatch` makes them (marker, cuts,
   * numbers, creation time, marker removed), made at once into the page cache when the files
   * allow it: a logon storm with ResetOnLogon made them through the thread pool, some ten round
   * trips per session queued behind each other. Returns false, having done nothing, when the
   * files do not offer synchronous calls.
   */
  private resetNow(b: Batch): boolean {
    const f = this.files;
    const fs = this.fs;
    const all = [f.header, f.body, f.seqnums, f.session];
    if (!fs.writeSmallFileSync || !fs.unlinkSync || all.some((file) => !file.truncateSync || !file.writeSync)) return false;
    const marker = resetMarkerPath(this.paths);
    // A store already empty (reset at the Logout, or new) has nothing to cut: no marker either (a
    // crash before the new numbers and creation time are written leaves it as it was).
    if (b.cuts) {
      try {
        fs.writeSmallFileSync(marker, Buffer.from(formatCreationTime(b.session ?? this.created), 'latin1'));
      } catch (e) {
        throw FileStoreError.wrap('io', 'create', marker, e);
      }
      f.header.truncateSync!(0);
      f.body.truncateSync!(0);
    }
    const seqNums = writeSeqNumsBytes(this.seqNumsBytes, 1, 1);
    writeAllNow(f.seqnums, seqNums, 0);
    if (this.seqNumsFileSize !== seqNums.length) {
      f.seqnums.truncateSync!(seqNums.length);
      this.seqNumsFileSize = seqNums.length;
    }
    if (b.session) {
      const text = Buffer.from(formatCreationTime(b.session), 'latin1');
      writeAllNow(f.session, text, 0);
      f.session.truncateSync!(text.length);
    }
    if (!b.cuts) return true;
    try {
      fs.unlinkSync(marker);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw FileStoreError.wrap('io', 'remove', marker, e);
    }
    return true;
  }

  /** Writes `.session`: the creation time. */
  private async writeSession(time: Date): Promise<void> {
    const text = Buffer.from(formatCreationTime(time), 'latin1');
    await writeAll(this.files.session, text, 0);
    await this.files.session.truncate(text.length);
  }

  /** Creates (or replaces) a small file with `content`, synced with FileStoreSync. */
  private async writeSmallFile(path: string, content: Buffer): Promise<void> {
    // Written over, then cut to length (not truncated on open): a write that fails leaves the old content.
    const file = await this.fs.open(path, constants.O_WRONLY | constants.O_CREAT, 0o644).catch((e: unknown) => {
      throw FileStoreError.wrap('io', 'create', path, e);
    });
    try {
      await writeAll(file, content, 0);
      await file.truncate(content.length);
      if (this.options.sync) await file.datasync();
    } finally {
      await file.close().catch(() => undefined);
    }
    if (this.options.sync) await this.syncDirectory(this.options.path || '.');
  }

  /** Writes `.seqnums` (cutting it to length when it was longer). */
  private writeSeqNums(nextSender: number, nextTarget: number): Promise<void> | undefined {
    const buf = writeSeqNumsBytes(this.seqNumsBytes, nextSender, nextTarget);
    const written = writeAllNow(this.files.seqnums, buf, 0);
    if (this.seqNumsFileSize === buf.length) return written;
    return (written ?? Promise.resolve()).then(async () => {
      await this.files.seqnums.truncate(buf.length);
      this.seqNumsFileSize = buf.length;
    });
  }

  private async syncDirectory(dir: string): Promise<void> {
    try {
      const handle = await this.fs.open(dir, constants.O_RDONLY);
      await handle.datasync().finally(() => handle.close());
    } catch {
      // Not every platform can fsync a directory; the files themselves are synced.
    }
  }

  /** Reads stored messages (inside `serial`): from the cache, else from `.body`. */
  private async readRange(begin: number, end: number, limit?: RangeLimit): Promise<StoredMessage[]> {
    const unflushed = (e: IndexEntry): boolean => !this.cache.has(e.seq) && e.offset + e.size > this.flushedBody;
    let entries = this.index.range(begin, end, limit?.maxMessages);
    if (limit) entries = entries.slice(0, countWithin(limit, entries.length, (i) => entries[i].size));
    if (!this.pending.empty && entries.some(unflushed)) await this.writePending();
    const out: StoredMessage[] = [];
    const misses: IndexEntry[] = [];
    for (const e of entries) {
      const bytes = this.cache.get(e.seq);
      if (bytes) out.push({ seq: e.seq, bytes });
      else misses.push(e);
    }
    if (misses.length === 0) return out;
    const read = await readMessages(this.files.body, this.paths.body, misses);
    return out.length === 0 ? read : [...out, ...read].sort((a, b) => a.seq - b.seq);
  }
}

/** Throws when the fence (if any) no longer holds the session. */
function assertHeld(fence: StoreFence | null): void {
  if (fence && !fence.holds()) throw new StoreFencedError(fence.epoch, undefined);
}


/** Options of a file store factory: like `FileStoreOptions`, the path possibly per session. */
export interface FileStoreFactoryOptions extends Omit<FileStoreOptions, 'prefix' | 'path'> {
  /** `FileStorePath`, or a function giving it for a session. */
  path: string | ((sessionId: { toString(): string; filePrefix: string }) => string);
}

/** Creates a `FileStore` per session, named by the session's file prefix. */
export class FileStoreFactory implements MessageStoreFactory {
  constructor(readonly options: FileStoreFactoryOptions) {}

  create(sessionId: { toString(): string; filePrefix: string }): Promise<FileStore> {
    const { path, ...rest } = this.options;
    return FileStore.open({ ...rest, path: typeof path === 'function' ? path(sessionId) : path, prefix: sessionId.filePrefix });
  }
}
