/**
 * Remote address ranges (`AllowedRemoteAddresses`): IPv4 and IPv6 addresses and CIDR ranges
 * (`10.0.0.0/8`, `2001:db8::/32`), and `localhost` (127.0.0.1 and ::1). An IPv4 entry also
 * matches the IPv4-mapped IPv6 form a dual-stack socket reports (`::ffff:10.1.2.3`).
 */
import net from 'node:net';
import { FixoverError } from '../codec/errors.js';

/** What `AllowedRemoteAddresses` accepts, for error messages. */
export const ADDRESS_RANGES_EXPECTED = 'a comma-separated list of IPv4 or IPv6 addresses or CIDR ranges (e.g. 127.0.0.1, 10.0.0.0/8, ::1, 2001:db8::/32)';

/** An entry of an address list is not an address nor a CIDR range. */
export class AddressRangeError extends FixoverError {
  constructor(
    /** The entry at fault, as written. */
    readonly entry: string,
    /** Why it cannot be read. */
    readonly problem: string,
  ) {
    super(`"${entry}": ${problem}`);
  }
}

/** A set of addresses and ranges a remote address is checked against. */
export class AddressRanges {
  private constructor(
    private readonly list: net.BlockList,
    /** The entries as written. */
    readonly entries: readonly string[],
  ) {}

  /**
   * Reads a comma-separated list (or the entries of one).
   * @throws AddressRangeError naming the first entry that is not an address or a CIDR range
   */
  static parse(text: string | readonly string[]): AddressRanges {
    const entries = (typeof text === 'string' ? text.split(',') : text).map((e) => e.trim());
    const list = new net.BlockList();
    for (const entry of entries) addEntry(list, entry);
    return new AddressRanges(list, entries);
  }

  /** True when `remote` (as a socket reports it) is one of the addresses or in one of the ranges. */
  allows(remote: string): boolean {
    const family = net.isIP(remote);
    if (family === 0) return false;
    return this.list.check(remote, family === 4 ? 'ipv4' : 'ipv6');
  }
}

function addEntry(list: net.BlockList, entry: string): void {
  if (entry === '') throw new AddressRangeError(entry, 'empty entry');
  if (entry.toLowerCase() === 'localhost') {
    list.addAddress('127.0.0.1', 'ipv4');
    list.addAddress('::1', 'ipv6');
    return;
  }
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const family = net.isIP(address);
  if (family === 0) throw new AddressRangeError(entry, `${address} is not an IPv4 or IPv6 address (host names are not resolved)`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash < 0) {
    list.addAddress(address, type);
    return;
  }
  const bits = family === 4 ? 32 : 128;
  const prefix = entry.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) throw new AddressRangeError(entry, `the prefix length must be 0 to ${bits} for an IPv${family} range`);
  list.addSubnet(address, Number(prefix), type);
}
