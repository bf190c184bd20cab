/**
 * The cluster's files in the shared store directory (`<FileStorePath>/cluster/<ClusterName>/`):
 * member records, the topology, the planner's memory, move orders and the coordinator lease. Every
 * file is written whole to a temporary file and renamed, so a reader never sees half of one; a file
 * that cannot be parsed is skipped (and reported by the caller), never fatal.
 */
import { mkdirSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MemberRecord, Topology } from './membership.js';
import type { PlannerMemory } from './rebalance.js';

/** Why a session moves: the planner balancing load, a draining node, or an operator's request. */
export type MoveReason = 'rebalance' | 'drain' | 'operator';

/**
 * An operator asked for a session to move to a node (`ClusterNode.requestMove`, the admin API's
 * move). The coordinator turns it into a move order at its next turn (or drops it, reporting why).
 */
export interface MoveRequest {
  readonly session: string;
  /** The node that held the session when it was asked. */
  readonly from: string;
  readonly to: string;
  /** Who asked (the operator's name), for the record. */
  readonly by: string;
  /** When it was asked (ms since the epoch). */
  readonly at: number;
}

/** A move ordered by the coordinator (see docs/cluster.md, "The move protocol"). */
export interface MoveOrder {
  readonly session: string;
  readonly from: string;
  readonly to: string;
  /** The target's advertised URIs, named in the Logout. */
  readonly toUris: readonly string[];
  readonly reason: MoveReason;
  /** When it was planned, when it may start (with jitter) and when it happens anyway. */
  readonly at: number;
  readonly notBefore: number;
  readonly deadline: number;
  /** The coordinator's lease epoch when it ordered it. */
  readonly coordinatorEpoch: number;
}

/** The topology as the coordinator writes it. */
export interface TopologyFile extends Topology {
  readonly coordinator: string;
  readonly writtenAt: number;
}

/** A file name for a node or session name (any character is safe). */
const fileName = (name: string): string => `${encodeURIComponent(name).replace(/\./g, '%2E')}.json`;

let writes = 0;

/** Reads and writes the cluster's files under one directory. */
export class ClusterDirectory {
  readonly membersDir: string;
  readonly movesDir: string;
  readonly requestsDir: string;

  constructor(readonly dir: string) {
    this.membersDir = join(dir, 'members');
    this.movesDir = join(dir, 'moves');
    this.requestsDir = join(dir, 'move-requests');
  }

  /** Creates the directories (at start: a node must be able to write here). */
  create(): void {
    mkdirSync(this.membersDir, { recursive: true });
    mkdirSync(this.movesDir, { recursive: true });
    mkdirSync(join(this.dir, 'drain'), { recursive: true });
    mkdirSync(this.requestsDir, { recursive: true });
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

  async writeTopology(t: TopologyFile): Promise<void> {
    await writeJson(join(this.dir, 'topology.json'), t);
  }

  async plannerMemory(): Promise<PlannerMemory | undefined> {
    const m = await readJson(join(this.dir, 'planner.json'));
    return m !== undefined && Array.isArray((m as PlannerMemory).recent) && typeof (m as PlannerMemory).moved === 'object' ? (m as PlannerMemory) : undefined;
  }

  async writePlannerMemory(m: PlannerMemory): Promise<void> {
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

  async removeMoveRequest(session: string): Promise<void> {
    await unlink(join(this.requestsDir, fileName(session))).catch(() => undefined);
  }
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

function isMoveOrder(x: unknown): x is MoveOrder {
  const m = x as MoveOrder;
  return typeof m === 'object' && m !== null && typeof m.session === 'string' && typeof m.from === 'string' && typeof m.to === 'string' && Array.isArray(m.toUris) && typeof m.deadline === 'number' && typeof m.notBefore === 'number';
}

function isMoveRequest(x: unknown): x is MoveRequest {
  const m = x as MoveRequest;
  return typeof m === 'object' && m !== null && typeof m.session === 'string' && typeof m.from === 'string' && typeof m.to === 'string' && typeof m.by === 'string' && typeof m.at === 'number';
}
