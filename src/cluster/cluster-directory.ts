/**
 * The cluster's files in the shared store directory (`<FileStorePath>/cluster/<ClusterName>/`):
 * member records, the topology, the planner's memory, move orders and the coordinator lease. Every
 * file is written whole to a temporary file and renamed, so a reader never sees half of one; a file
 * that cannot be parsed is skipped (and reported by the caller), never fatal. The coordinator lease
 * is a fenced owner file (`coordinator.owner`, `src/fencing`); the coordinator checks it before
 * each write. Other nodes learn of changes by polling (`watch` does nothing here).
 */
import { mkdirSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FileOwnership } from '../fencing/file-ownership.js';
import type { OwnerRecord } from '../fencing/ownership.js';
import type { MemberRecord } from './membership.js';
import { plannerMemoryOf, type PlannerMemory } from './rebalance.js';
import { isMoveOrder, isMoveRequest, type ClusterStore, type CoordinatorLease, type MoveOrder, type MoveRequest, type TopologyFile } from './cluster-store.js';

export type { MoveOrder, MoveReason, MoveRequest, TopologyFile } from './cluster-store.js';

/** A file name for a node or session name (any character is safe). */
const fileName = (name: string): string => `${encodeURIComponent(name).replace(/\./g, '%2E')}.json`;

let writes = 0;

/** Reads and writes the cluster's files under one directory. */
export class ClusterDirectory implements ClusterStore {
  readonly membersDir: string;
  readonly movesDir: string;
  /** The shared store directory (`FileStorePath`), where the sessions' owner files are. */
  readonly storeDir: string;
  readonly requestsDir: string;

  /** `dir`: `<FileStorePath>/cluster/<ClusterName>`; `storeDir` defaults to the `FileStorePath` it is in. */
  constructor(
    readonly dir: string,
    storeDir?: string,
  ) {
    this.membersDir = join(dir, 'members');
    this.movesDir = join(dir, 'moves');
    this.requestsDir = join(dir, 'move-requests');
    this.storeDir = storeDir ?? dirname(dirname(dir));
  }

  get where(): string {
    return this.dir;
  }

  /** Creates the directories (at start: a node must be able to write here). */
  create(): Promise<void> {
    mkdirSync(this.membersDir, { recursive: true });
    mkdirSync(this.movesDir, { recursive: true });
    mkdirSync(join(this.dir, 'drain'), { recursive: true });
    mkdirSync(this.requestsDir, { recursive: true });
    return Promise.resolve();
  }

  coordinatorLease(node: string, leaseMs: number, now?: () => number): CoordinatorLease {
    return new FileOwnership({ dir: this.dir, prefix: 'coordinator', node, leaseMs, now });
  }

  coordinator(): Promise<OwnerRecord | undefined> {
    return ownerRecord(join(this.dir, 'coordinator.owner'));
  }

  sessionOwner(session: { readonly id: string; readonly prefix: string }): Promise<OwnerRecord | undefined> {
    return ownerRecord(join(this.storeDir, `${session.prefix}.owner`));
  }

  /** Files are polled: nothing announces a change. */
  watch(): void {}

  close(): Promise<void> {
    return Promise.resolve();
  }

  async writeMember(r: MemberRecord): Promise<void> {
    await writeJson(join(this.membersDir, fileName(r.node)), r);
  }

  async removeMember(node: string): Promise<void> {
    await unlink(join(this.membersDir, fileName(node))).catch(() => undefined);
  }

  /** Every member record, and the names of files that could not be read as one. */
  async members(): Promise<{ records: MemberRecord[]; unreadable: string[] }> {
    const { items, unreadable } = await readAll(this.membersDir, isMemberRecord);
    return { records: items, unreadable };
  }

  async topology(): Promise<TopologyFile | undefined> {
    const t = await readJson(join(this.dir, 'topology.json'));
    return t !== undefined && typeof (t as TopologyFile).epoch === 'number' && Array.isArray((t as TopologyFile).members) ? (t as TopologyFile) : undefined;
  }

  /** The coordinator checked its lease just before (a file cannot be fenced in the write itself). */
  async writeTopology(t: TopologyFile, _coordinatorEpoch?: number): Promise<void> {
    await writeJson(join(this.dir, 'topology.json'), t);
  }

  async plannerMemory(): Promise<PlannerMemory | undefined> {
    return plannerMemoryOf(await readJson(join(this.dir, 'planner.json')));
  }

  async writePlannerMemory(m: PlannerMemory, _coordinatorEpoch?: number): Promise<void> {
    await writeJson(join(this.dir, 'planner.json'), m);
  }

  /** Asks `node` to drain (`fixover drain`): a request file the node looks for while it runs. */
  async requestDrain(node: string): Promise<void> {
    await writeJson(join(this.dir, 'drain', fileName(node)), { node, at: Date.now() });
  }

  /** Whether a drain of `node` was requested. */
  async drainRequested(node: string): Promise<boolean> {
    return (await readJson(join(this.dir, 'drain', fileName(node)))) !== undefined;
  }

  /** Removes a drain request of `node` (it is being carried out, or the node starts again). */
  async clearDrainRequest(node: string): Promise<void> {
    await unlink(join(this.dir, 'drain', fileName(node))).catch(() => undefined);
  }

  async moves(): Promise<MoveOrder[]> {
    return (await readAll(this.movesDir, isMoveOrder)).items;
  }

  async writeMove(m: MoveOrder): Promise<void> {
    await writeJson(join(this.movesDir, fileName(m.session)), m);
  }

  async removeMove(session: string): Promise<void> {
    await unlink(join(this.movesDir, fileName(session))).catch(() => undefined);
  }

  /** Leaves an operator's move request for the coordinator (one per session: a newer one replaces it). */
  async requestMove(r: MoveRequest): Promise<void> {
    await mkdir(this.requestsDir, { recursive: true });
    await writeJson(join(this.requestsDir, fileName(r.session)), r);
  }

  /** The operators' move requests not yet taken by the coordinator. */
  async moveRequests(): Promise<MoveRequest[]> {
    return (await readAll(this.requestsDir, isMoveRequest)).items;
  }

  async removeMoveRequest(r: MoveRequest): Promise<void> {
    const file = join(this.requestsDir, fileName(r.session));
    // Taken aside first (a rename is atomic): a request written from now on is a new file, not ours.
    const aside = `${file}.${process.pid}.${++writes}.taken`;
    try {
      await rename(file, aside);
    } catch {
      return;
    }
    if (JSON.stringify(await readJson(aside)) !== JSON.stringify(r)) {
      // A newer request replaced ours before we took it aside: put it back unless an even newer
      // one is already there (link fails when the name exists).
      await link(aside, file).catch(() => undefined);
    }
    await unlink(aside).catch(() => undefined);
  }
}

async function ownerRecord(file: string): Promise<OwnerRecord | undefined> {
  const r = (await readJson(file)) as OwnerRecord | undefined;
  return r !== undefined && typeof r === 'object' && r !== null && typeof r.epoch === 'number' ? r : undefined;
}

async function writeJson(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.${++writes}.tmp`;
  await writeFile(tmp, JSON.stringify(value));
  try {
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

async function readAll<T>(dir: string, valid: (x: unknown) => x is T): Promise<{ items: T[]; unreadable: string[] }> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const items: T[] = [];
  const unreadable: string[] = [];
  for (const n of names) {
    if (!n.endsWith('.json')) continue;
    const x = await readJson(join(dir, n));
    // A file removed between readdir and read is simply gone.
    if (x === undefined) continue;
    if (valid(x)) items.push(x);
    else unreadable.push(n);
  }
  return { items, unreadable };
}

function isMemberRecord(x: unknown): x is MemberRecord {
  const r = x as MemberRecord;
  return typeof r === 'object' && r !== null && typeof r.node === 'string' && typeof r.cluster === 'string' && Array.isArray(r.uris) && Array.isArray(r.sessions) && typeof r.renewedAt === 'number' && typeof r.leaseMs === 'number' && typeof r.weight === 'number' && typeof r.since === 'number' && ['joining', 'active', 'draining'].includes(r.state);
}
