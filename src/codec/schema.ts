/**
 * What the codec needs to know from a data dictionary: field names, header/trailer membership and
 * repeating-group layouts. `DataDictionary` satisfies these interfaces; the codec works without
 * one too (flat fields, no groups, no names).
 */

/** Layout of a repeating group, with nested groups. */
export interface GroupSchema {
  readonly countTag: number;
  /** Tag of the field that starts every entry. */
  readonly delimiter: number;
  /** Member field tags (including nested count tags) -> required. */
  readonly fields: ReadonlyMap<number, boolean>;
  /** Nested groups by count tag. */
  readonly groups: ReadonlyMap<number, GroupSchema>;
  /** Member tags in the defined order. */
  readonly order: readonly number[];
}

/** Field names and message layouts. */
export interface MessageSchema {
  field(tag: number): { readonly name: string; readonly type: string; readonly values: ReadonlyMap<string, string> | null } | undefined;
  fieldByName(name: string): { readonly tag: number } | undefined;
  isHeaderField(tag: number): boolean;
  isTrailerField(tag: number): boolean;
  /** The group with this count tag in the header, trailer or body of the message type. */
  group(msgType: string, countTag: number): GroupSchema | undefined;
}

/** The standard header fields, used to split header and body when no dictionary is given. */
export const STANDARD_HEADER_TAGS: ReadonlySet<number> = new Set([
  8, 9, 35, 49, 56, 115, 128, 90, 91, 34, 50, 142, 57, 143, 116, 144, 129, 145, 43, 97, 52, 122, 212, 213, 347, 369,
  370, 627, 628, 629, 630, 1128, 1129, 1156,
]);

/** The standard trailer fields. */
export const STANDARD_TRAILER_TAGS: ReadonlySet<number> = new Set([93, 89, 10]);
