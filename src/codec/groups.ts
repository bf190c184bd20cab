/**
 * Repeating groups: given a group layout, finds the entries of a group in a parsed field table.
 * NumInGroup count, delimiter and member order are checked; problems are reported with the tags
 * involved instead of being thrown, so validation can choose the reject.
 */
import { GroupError } from './errors.js';
import { parseIntBytes } from './values.js';
import type { FieldTable } from './parser.js';
import type { GroupSchema } from './schema.js';

/** One entry of a group: table indices [from, to). */
export interface EntryRange {
  readonly from: number;
  readonly to: number;
}

/** The entries found for one group occurrence. */
export interface GroupScan {
  /** Entries found, in order. */
  readonly entries: EntryRange[];
  /** Table index just past the group. */
  readonly next: number;
  /** The NumInGroup value (NaN when it is not a number). */
  readonly declared: number;
  /** First structural problem found, if any. */
  readonly error: GroupError | undefined;
}

const positions = new WeakMap<GroupSchema, Map<number, number>>();

/** Position of each member tag in the group's defined order (cached per schema object). */
function orderOf(schema: GroupSchema): Map<number, number> {
  let m = positions.get(schema);
  if (!m) {
    m = new Map();
    schema.order.forEach((tag, i) => m!.set(tag, i));
    positions.set(schema, m);
  }
  return m;
}

/**
 * Scans the group whose NumInGroup field is at table index `countIndex`, looking no further than
 * `limit`. Entries are delimited as QuickFIX does: a new entry starts at the delimiter, or at a
 * member that is already set in the current entry; the group ends at the first non-member.
 * Nested groups are scanned (and checked) recursively.
 */
export function scanGroup(buf: Buffer, table: FieldTable, countIndex: number, schema: GroupSchema, limit: number): GroupScan {
  const countTag = schema.countTag;
  const declared = parseIntBytes(buf, table.starts[countIndex], table.ends[countIndex]);
  const tags = table.tags;
  const entries: EntryRange[] = [];
  let error: GroupError | undefined;
  const note = (e: GroupError): void => {
    if (!error) error = e;
  };
  if (!(declared >= 0)) {
    note(new GroupError('bad-count', countTag, countTag, `NumInGroup ${countTag} is not a non-negative integer`));
  }
  const order = orderOf(schema);
  let i = countIndex + 1;
  while (i < limit && schema.fields.has(tags[i])) {
    const from = i;
    if (tags[i] !== schema.delimiter) {
      note(new GroupError('missing-delimiter', countTag, tags[i], `group ${countTag} entry starts with ${tags[i]}, expected delimiter ${schema.delimiter}`));
    }
    const seen = new Set<number>();
    let lastPos = -1;
    do {
      const t = tags[i];
      seen.add(t);
      const pos = order.get(t) ?? lastPos;
      if (pos < lastPos) note(new GroupError('out-of-order', countTag, t, `field ${t} is out of order in group ${countTag}`));
      lastPos = pos;
      const nested = schema.groups.get(t);
      if (nested) {
        const inner = scanGroup(buf, table, i, nested, limit);
        if (inner.error) note(inner.error);
        i = inner.next;
      } else {
        i++;
      }
    } while (i < limit && tags[i] !== schema.delimiter && schema.fields.has(tags[i]) && !seen.has(tags[i]));
    entries.push({ from, to: i });
  }
  if (declared >= 0 && entries.length !== declared) {
    note(
      new GroupError('count-mismatch', countTag, countTag, `group ${countTag} declares ${declared} entries but has ${entries.length}`),
    );
  }
  return { entries, next: i, declared, error };
}
