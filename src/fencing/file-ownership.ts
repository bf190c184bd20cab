/**
 * Session ownership for a store directory shared by processes (same host, or a network file
 * system): an owner file `<prefix>.owner` next to the store files holds the owner and its epoch;
 * changes to it are serialised with an exclusively created lock file. A node may take over when
 * the owner's lease has expired, or at once when the owner was on this host and its process is gone.
 * Clocks of the hosts sharing a network file system must agree to well within the lease.
 *
 * Taking and giving up the session (the lock, the record's read, write and rename) is made with
 * synchronous calls: each is a few microseconds on a local disk, while an asynchronous one costs a
 * round trip through libuv's thread pool (4 threads) that is dearer than the call itself, and a
 * logon storm queued some twenty of them per session behind each other. The lease renewal stays
 * asynchronous (it runs all the time beside the sessions' traffic).
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { closeSync, existsSync, fstatSync, openSync, readSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { FixoverError } from '../codec/errors.js';
import { StoreFencedError, type AcquireResult, type OwnerRecord, type SessionOwnership } from './ownership.js';
import { leaseHolds, leaseTiming, type LeaseTiming } from './lease-timing.js';
import { nextRefusal, parseRefusalRecord, type RefusalRecord } from './refusal-record.js';

/** Where a {@link FileOwnership} keeps its lease, for which session and node, and how long the lease lasts. */
export interface FileOwnershipOptions {
  /** Store directory (`FileStorePath`). */
  dir: string;
  /** Session file prefix. */
  prefix: string;
  /** This node's name. */
  node: string;
  /** Lease length in milliseconds (`SessionLeaseTimeout`, default 5000). */
  leaseMs?: number;
  now?: () => number;
  /** Whether a process on this host is alive (default: signal 0). */
  isAlive?: (pid: number) => boolean;
}

/**
 * A lock older than this is taken as abandoned (its holder died or is paused). Well under the
 * lease: a node paused while holding the lock must not keep the owner from renewing in time.
 */
function lockStaleMs(leaseMs: number): number {
  return Math.min(5000, Math.max(200, Math.floor(leaseMs / 4)));
}

/**
 * Whether process `pid` on this host is still running. A process killed but not yet reaped by its
 * parent (a zombie: state Z or X in /proc) still answers signal 0, yet can no longer write: it
 * counts as gone. Without /proc the answer errs on the safe side (alive: wait for the lease).
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

/** A released record reserved for another node (a hand-over) that has not run out. */
export function reservedForAnother(r: OwnerRecord, node: string, now: number): boolean {
  return r.pid === 0 && r.movingTo !== undefined && r.movingTo !== node && now < (r.movingUntil ?? 0);
}

/** What identifies one version of the owner file (a rename replaces the inode). */
interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

function identityOf(file: string): FileIdentity {
  const s = statSync(file);
  return { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
}

function sameFile(s: FileIdentity, w: FileIdentity | null): boolean {
  return w !== null && s.ino === w.ino && s.dev === w.dev && s.size === w.size && s.mtimeMs === w.mtimeMs;
}

const LEASE_RAN_OUT = 'its lease ran out (the node was paused or too busy to renew it in time)';

/** How long a stat that found the owner file unchanged is trusted for. */
const RECHECK_MS = 2;

/** Fenced session ownership on a shared folder: a lease file next to the store files, renewed by the owner. */
export class FileOwnership implements SessionOwnership {
  private readonly file: string;
  private readonly lockFile: string;
  /** The last refusal sent for the session (`<prefix>.refused`, beside the owner file). */
  private readonly refusedFile: string;
  private readonly leaseMs: number;
  private readonly now: () => number;
  private readonly isAlive: (pid: number) => boolean;
  private readonly host = hostname();
  private owned = 0;
  /** Owner record writes so far (each through its own temporary file). */
  private writes = 0;
  /** The epoch we gave up because its lease ran out by our own clock (for the error's reason). */
  private expired = 0;
  /** When our last successful renewal (or the acquisition) started, by our own clock. */
  private renewStarted = 0;
  private readonly timing: LeaseTiming;
  /**
   * Identity (device, inode, size, modification time) of the owner file right after this node
   * wrote its own record, under the lock. Every change replaces the file by a rename, hence a new
   * inode: while the identity is unchanged the record is still ours, and `check` needs one stat
   * instead of reading and parsing the file.
   */
  private written: FileIdentity | null = null;
  /** When (performance.now()) a stat last found the owner file unchanged. */
  private confirmedAt = -Infinity;
  /** Identity of our record while its rename is in progress (then it may already be in place). */
  private renaming: FileIdentity | null = null;
  /** The renewal in progress (settled), which a release or hand-over waits for before it writes. */
  private renewal: Promise<unknown> = Promise.resolve();
  /** The epoch being released or handed over: no renewal of it starts any more. */
  private givingUp = 0;
  /** The resting version (`restingVersion`) the last acquisition replaced, undefined when it replaced a held record. */
  private replaced: string | undefined;

  constructor(private readonly o: FileOwnershipOptions) {
    this.file = join(o.dir, `${o.prefix}.owner`);
    this.lockFile = `${this.file}.lock`;
    this.refusedFile = join(o.dir, `${o.prefix}.refused`);
    this.leaseMs = o.leaseMs ?? 5000;
    this.timing = leaseTiming(this.leaseMs);
    this.now = o.now ?? Date.now;
    this.isAlive = o.isAlive ?? processAlive;
  }

  get epoch(): number {
    return this.owned;
  }

  get node(): string {
    return this.o.node;
  }

  /**
   * Our lease is valid by our own clock: less than the lease minus its margin has passed since our
   * last successful renewal started (`leaseHolds`), so a node that was paused for longer stops
   * before another node may take the session over.
   */
  holds(): boolean {
    return this.owned !== 0 && leaseHolds(this.timing, this.renewStarted, this.now());
  }

  async current(): Promise<OwnerRecord | undefined> {
    try {
      return parseOwner(await readFile(this.file, 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** `current` at once (under the lock, while taking or giving up the session). */
  private currentNow(): OwnerRecord | undefined {
    return this.readNow().record;
  }

  /** The owner file's text ('' when there is none; undefined when unreadable) and its record. */
  private readNow(): { text: string | undefined; record: OwnerRecord | undefined } {
    try {
      const { text, record, fd } = this.readHeld();
      if (fd !== undefined) closeSync(fd);
      return { text, record };
    } catch {
      return { text: undefined, record: undefined };
    }
  }

  /**
   * The owner file's text and record, keeping the file open (when there is one): while its
   * descriptor is open, its inode cannot be reused, so `stillInPlace` can tell by one stat whether
   * the file was replaced since. Throws when the file exists but cannot be read.
   */
  private readHeld(): { text: string | undefined; record: OwnerRecord | undefined; fd?: number; ino?: number; dev?: number } {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', record: undefined };
      throw e;
    }
    try {
      const { ino, dev, size } = fstatSync(fd);
      const buf = Buffer.allocUnsafe(size);
      let done = 0;
      for (let n = 1; done < size && n > 0; done += n) n = readSync(fd, buf, done, size - done, done);
      const text = buf.toString('utf8', 0, done);
      let record: OwnerRecord | undefined;
      try {
        record = parseOwner(text);
      } catch {
        // Not a record: taken as none (as `current` does), the text as unreadable.
        return { text: undefined, record: undefined, fd, ino, dev };
      }
      return { text, record, fd, ino, dev };
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** The owner file read by `readHeld` is still the one in place (or there is still none). */
  private stillInPlace(read: { fd?: number; ino?: number; dev?: number }): boolean {
    const s = statSync(this.file, { throwIfNoEntry: false });
    if (read.fd === undefined) return s === undefined;
    return s !== undefined && s.ino === read.ino && s.dev === read.dev;
  }

  /**
   * The owner file's text while nobody holds the session: '' when there is none, the record when
   * it is released (pid 0, possibly reserved for a node by a hand-over); undefined while a node
   * holds it. Every acquisition raises the epoch and a release keeps it, so the same text means
   * that nobody took the session in between.
   */
  restingVersion(): string | undefined {
    return resting(this.readNow());
  }

  /** The last acquisition replaced the resting record `version` (see `SessionOwnership.acquiredFrom`). */
  acquiredFrom(version: string | undefined): boolean {
    return version !== undefined && this.owned !== 0 && version === this.replaced;
  }

  /** True when the record's owner can no longer be running the session. */
  private gone(r: OwnerRecord, now: number): boolean {
    if (r.pid === 0) return true;
    if (now > r.renewedAt + r.leaseMs) return true;
    return r.host === this.host && !this.isAlive(r.pid);
  }

  private mine(r: OwnerRecord | undefined): boolean {
    return r !== undefined && r.epoch === this.owned && r.host === this.host && r.pid === process.pid;
  }

  async acquire(): Promise<AcquireResult> {
    return this.locked((): AcquireResult => {
      const now = this.now();
      const read = this.readHeld();
      try {
        const r = read.record;
        this.replaced = undefined;
        if (r && this.mine(r)) {
          this.writeNow({ ...r, renewedAt: now });
          return this.grant(r.epoch, now);
        }
        if (r && !this.gone(r, now)) return { acquired: false, owner: r, reason: `active on node ${r.node}` };
        if (r && reservedForAnother(r, this.o.node, now)) return { acquired: false, owner: r, reason: `moving to node ${r.movingTo!}` };
        const epoch = (r?.epoch ?? 0) + 1;
        this.writeNow({ node: this.o.node, host: this.host, pid: process.pid, epoch, renewedAt: now, leaseMs: this.leaseMs }, () => {
          // Paused here while another node broke the lock and took the session: do not write over it.
          if (!this.stillInPlace(read)) throw new FixoverError(`session ${this.o.prefix}: the owner changed while taking it over`, { code: 'OWNER_CHANGED' });
        });
        this.replaced = resting(read);
        return this.grant(epoch, now);
      } finally {
        if (read.fd !== undefined) closeSync(read.fd);
      }
    });
  }

  private grant(epoch: number, now: number): AcquireResult {
    this.owned = epoch;
    this.givingUp = 0;
    this.renewStarted = now;
    return { acquired: true, epoch };
  }

  /**
   * Extends our lease. Without the lock: another node (busy, or paused while holding it) must not
   * make the owner miss its renewal. Safe because nobody takes the session over while the record's
   * lease runs, and we write only while our lease holds by our own clock (checked last, just before
   * the rename) and the record is still ours. Once a release or hand-over has begun, a renewal
   * does nothing, and one in progress is waited for: otherwise its rename, landing after the
   * release's, would put our record back, and the next owner would wait for its lease to run out.
   */
  renew(): Promise<void> {
    if (this.owned !== 0 && this.givingUp === this.owned) return Promise.resolve();
    const run = this.renewNow();
    this.renewal = run.catch(() => undefined);
    return run;
  }

  private async renewNow(): Promise<void> {
    const r = await this.current();
    if (!this.holds() || !this.mine(r)) this.lose(r);
    const now = this.now();
    await this.write({ ...r!, renewedAt: now }, async () => {
      const latest = await this.current();
      if (!this.holds() || !this.mine(latest)) this.lose(latest);
    });
    this.renewStarted = now;
  }

  /** Gives our epoch up and says why: the lease ran out by our clock, or the record is another's. */
  private lose(r: OwnerRecord | undefined): never {
    const epoch = this.owned;
    const ranOut = epoch !== 0 && !this.holds();
    this.owned = 0;
    if (ranOut) this.expired = epoch;
    throw new StoreFencedError(epoch, r, ranOut || (epoch === 0 && this.expired !== 0) ? LEASE_RAN_OUT : undefined);
  }

  async release(): Promise<void> {
    await this.giveUp(undefined);
  }

  async handOver(node: string, untilMs: number): Promise<void> {
    await this.giveUp({ movingTo: node, movingUntil: untilMs });
  }

  private async giveUp(reservation: { movingTo: string; movingUntil: number } | undefined): Promise<void> {
    if (!this.owned) return;
    this.givingUp = this.owned;
    await this.renewal;
    await this.locked(() => {
      const r = this.currentNow();
      if (this.mine(r)) {
        const { movingTo: _to, movingUntil: _until, ...rest } = r!;
        this.writeNow({ ...rest, pid: 0, renewedAt: 0, ...reservation });
      }
      this.owned = 0;
    });
  }

  async check(epoch = this.owned): Promise<void> {
    if (!epoch || epoch !== this.owned) throw new StoreFencedError(epoch, await this.current(), epoch === this.expired ? LEASE_RAN_OUT : undefined);
    if (!this.holds()) {
      this.owned = 0;
      this.expired = epoch;
      throw new StoreFencedError(epoch, await this.current(), LEASE_RAN_OUT);
    }
    // Called before every store write: a stat (cached metadata, microseconds) when nothing changed.
    if (this.unchanged()) return;
    const r = await this.current();
    if (!this.mine(r)) {
      this.owned = 0;
      throw new StoreFencedError(epoch, r);
    }
  }

  /**
   * Records a refusal and returns its number (`SessionOwnership.recordRefusal`): read, raised and
   * replaced (temporary file and rename) under the owner file's lock, so two nodes refusing at
   * once give two numbers.
   */
  async recordRefusal(nextSender: number, sessionTime: number): Promise<number> {
    return this.locked(async () => {
      const r = nextRefusal(await this.lastRefusal(), nextSender, sessionTime);
      const tmp = `${this.refusedFile}.${process.pid}.${++this.writes}.tmp`;
      await writeFile(tmp, JSON.stringify({ ...r, node: this.o.node }));
      try {
        await rename(tmp, this.refusedFile);
      } catch (e) {
        await unlink(tmp).catch(() => undefined);
        throw e;
      }
      return r.seq;
    });
  }

  /** The last refusal recorded; undefined when none (or the file is not a record: then it is rewritten by the next refusal). */
  async lastRefusal(): Promise<RefusalRecord | undefined> {
    let text: string;
    try {
      // At once: asked before every Logon is answered, and mostly there is no file (no error made for it).
      if (!existsSync(this.refusedFile)) return undefined;
      text = readFileSync(this.refusedFile, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      return parseRefusalRecord(JSON.parse(text));
    } catch {
      return undefined;
    }
  }

  /**
   * Replaces the owner record (atomically, by rename); `before` runs last, just before the rename.
   * A record of ours is recognised as soon as the rename may have happened: its identity is taken
   * from the temporary file (a rename keeps inode, size and modification time), so the store's
   * writes go on without waiting while a renewal is in progress. A record that is not ours (a
   * release) stops the recognition of our old one once it may be in place.
   */
  private async write(r: OwnerRecord, before?: () => Promise<void>): Promise<void> {
    const tmp = `${this.file}.${process.pid}.${++this.writes}.tmp`;
    const ours = r.pid === process.pid && r.host === this.host;
    await writeFile(tmp, JSON.stringify(r));
    try {
      await before?.();
      const next = ours ? identityOf(tmp) : null;
      this.renaming = next;
      if (!ours) this.written = null;
      await rename(tmp, this.file);
      this.written = next;
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    } finally {
      this.renaming = null;
    }
  }

  /** `write` at once (under the lock): the same steps with synchronous calls. */
  private writeNow(r: OwnerRecord, before?: () => void): void {
    const tmp = `${this.file}.${process.pid}.${++this.writes}.tmp`;
    const ours = r.pid === process.pid && r.host === this.host;
    writeFileSync(tmp, JSON.stringify(r));
    try {
      before?.();
      const next = ours ? identityOf(tmp) : null;
      this.renaming = next;
      if (!ours) this.written = null;
      renameSync(tmp, this.file);
      this.written = next;
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        // Already gone, or never made.
      }
      throw e;
    } finally {
      this.renaming = null;
    }
  }

  /**
   * `check` without waiting, for the store's synchronous flush: true when `epoch` is ours, the lease
   * holds and the owner file is still the one this node wrote (one stat); false when `check` must
   * decide (it reads the record, or throws).
   */
  checkNow(epoch = this.owned): boolean {
    return epoch !== 0 && epoch === this.owned && this.holds() && this.unchanged();
  }

  /**
   * The owner file is the one this node wrote last (same identity), by one stat, taken again at
   * most every RECHECK_MS. The lease (checked on every write by `holds`) is what fences a node;
   * the stat catches an owner file replaced by hand or by a node that broke the protocol, and at
   * thousands of writes a second one stat per write would cost more (a syscall and a Stats
   * object each) than a few milliseconds of delay in noticing buys.
   */
  private unchanged(): boolean {
    const w = this.written;
    const n = this.renaming;
    if (w === null && n === null) return false;
    const now = performance.now();
    if (w !== null && now - this.confirmedAt < RECHECK_MS) return true;
    const s = statSync(this.file, { throwIfNoEntry: false });
    const written = s !== undefined && sameFile(s, w);
    this.confirmedAt = written ? now : -Infinity;
    return written || (s !== undefined && sameFile(s, n));
  }

  /**
   * Runs `fn` holding the lock file; a lock older than a few seconds is taken as abandoned. The
   * lock is taken and let go with synchronous calls; only a lock held by another waits (a timer).
   */
  private async locked<T>(fn: () => T | Promise<T>): Promise<T> {
    let fd: number | undefined;
    for (let attempt = 0; (fd = this.tryLock()) === undefined; attempt++) {
      let age = 0;
      try {
        age = Date.now() - statSync(this.lockFile).mtimeMs;
      } catch {
        // Let go of meanwhile (or unreadable): wait a little as for a held lock.
      }
      if (age > lockStaleMs(this.leaseMs)) unlinkQuietly(this.lockFile);
      else await new Promise((r) => setTimeout(r, Math.min(50, 5 + attempt * 5)));
    }
    try {
      return await fn();
    } finally {
      this.unlock(fd);
    }
  }

  /**
   * Creates the lock file (naming this node and process, for operators); its descriptor, kept open
   * until `unlock`, or undefined when another holds the lock.
   */
  private tryLock(): number | undefined {
    let fd: number;
    try {
      fd = openSync(this.lockFile, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
      throw e;
    }
    try {
      writeSync(fd, `${this.o.node} ${this.host} ${process.pid}\n`);
    } catch (e) {
      closeSync(fd);
      unlinkQuietly(this.lockFile);
      throw e;
    }
    return fd;
  }

  /**
   * Removes the lock file if it is still ours (after a pause it may have been broken and taken by
   * another node): ours has the inode of the descriptor held open since we created it, which no
   * other file can have meanwhile.
   */
  private unlock(fd: number): void {
    try {
      const mine = fstatSync(fd);
      const now = statSync(this.lockFile, { throwIfNoEntry: false });
      if (now !== undefined && now.ino === mine.ino && now.dev === mine.dev) unlinkQuietly(this.lockFile);
    } finally {
      closeSync(fd);
    }
  }
}

function parseOwner(text: string): OwnerRecord | undefined {
  const r = JSON.parse(text) as OwnerRecord;
  return typeof r.epoch === 'number' ? r : undefined;
}

/** The resting version of an owner file read (see `FileOwnership.restingVersion`). */
function resting({ text, record }: { text: string | undefined; record: OwnerRecord | undefined }): string | undefined {
  if (text === '') return '';
  return record !== undefined && record.pid === 0 ? text : undefined;
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}
