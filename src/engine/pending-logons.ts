/**
 * Connections waiting for their first message, counted per remote address and in total, and the
 * choice of which to shed when a cap is reached: a new connection always gets in, and the one
 * closed to make room is the oldest idle one (no byte received) of the busiest address, so
 * a flood from one address cannot keep other counterparties out.
 */
import { InvalidOptionError } from '../codec/errors.js';

/** A connection waiting for its first message. */
export interface PendingLogon {
  /** The remote address it is counted under (see {@link addressKey}). */
  readonly address: string;
  /** No byte received yet. */
  readonly idle: boolean;
}

/** The caps: `MaxPendingLogons` and `MaxPendingLogonsPerAddress`. */
export interface PendingLogonLimits {
  /** Connections waiting for a logon on one listening port. */
  readonly total: number;
  /** Of those, from one remote address. */
  readonly perAddress: number;
}

/** The default caps: 1,000 in total, 100 from one address. */
export const DEFAULT_PENDING_LOGON_LIMITS: PendingLogonLimits = { total: 1000, perAddress: 100 };

/**
 * The address a connection is counted under: an IPv4 address as it is (an IPv4-mapped IPv6 address
 * counts as the IPv4 one), an IPv6 address by its /64 prefix (`2001:db8:1:2::/64`): one host is
 * usually given a whole /64, so counting single IPv6 addresses would let it open connections from
 * as many addresses as it likes.
 */
export function addressKey(remote: string): string {
  if (remote.startsWith('::ffff:') && remote.includes('.')) return remote.slice(7);
  if (!remote.includes(':')) return remote;
  const prefix = ipv6Prefix64(remote);
  return prefix === null ? remote : `${prefix}::/64`;
}

/** The first four groups of an IPv6 address, lower case without leading zeros; null when it is not one. */
function ipv6Prefix64(address: string): string | null {
  const text = address.split('%')[0].toLowerCase();
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string): string[] | null => {
    if (part === '') return [];
    const out: string[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const g = items[i];
      if (i === items.length - 1 && g.includes('.')) out.push('0', '0'); // embedded IPv4: the last 32 bits
      else if (/^[0-9a-f]{1,4}$/.test(g)) out.push(g.replace(/^0+(?=.)/, ''));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<string>(missing).fill('0'), ...tail];
  return all.slice(0, 4).join(':');
}

/** Pending connections by address, oldest first. */
export class PendingLogons<T extends PendingLogon> {
  private readonly byAddress = new Map<string, Set<T>>();
  private count = 0;

  constructor(readonly limits: PendingLogonLimits = DEFAULT_PENDING_LOGON_LIMITS) {
    if (!(limits.total >= 1 && limits.perAddress >= 1)) throw new InvalidOptionError('pending logon limits must be at least 1');
  }

  /** Connections waiting. */
  get size(): number {
    return this.count;
  }

  /** Connections waiting from `address`. */
  countFrom(address: string): number {
    return this.byAddress.get(address)?.size ?? 0;
  }

  add(c: T): void {
    let set = this.byAddress.get(c.address);
    if (!set) this.byAddress.set(c.address, (set = new Set()));
    if (set.has(c)) return;
    set.add(c);
    this.count++;
  }

  /** Forgets a connection (it sent its first message, timed out or closed). */
  delete(c: T): void {
    const set = this.byAddress.get(c.address);
    if (!set?.delete(c)) return;
    this.count--;
    if (set.size === 0) this.byAddress.delete(c.address);
  }

  /**
   * The connection to close so that one more from `address` fits, or undefined when it fits: the
   * oldest idle one (else the oldest) of `address` when that address is at its cap, else of the
   * busiest address when the total is reached.
   */
  toShed(address: string): T | undefined {
    const own = this.byAddress.get(address);
    if (own && own.size >= this.limits.perAddress) return oldest(own);
    if (this.count < this.limits.total) return undefined;
    let busiest: Set<T> | undefined;
    for (const set of this.byAddress.values()) if (!busiest || set.size > busiest.size) busiest = set;
    return busiest && oldest(busiest);
  }

  /** Every pending connection. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (const set of this.byAddress.values()) yield* set;
  }
}

function oldest<T extends PendingLogon>(set: Set<T>): T | undefined {
  let first: T | undefined;
  for (const c of set) {
    if (c.idle) return c;
    first ??= c;
  }
  return first;
}
