/**
 * The data-dictionary model: field definitions and the member sets of the header, trailer,
 * messages, repeating groups and components. Components are flattened into every member set that
 * references them, so validation never has to walk component references.
 */

/** A field of the `<fields>` section. */
export interface FieldDef {
  readonly tag: number;
  readonly name: string;
  /**
   * QuickFIX type name, upper-case (STRING, INT, PRICE, QTY, CHAR, BOOLEAN, UTCTIMESTAMP, LENGTH,
   * DATA, NUMINGROUP, SEQNUM, MULTIPLEVALUESTRING, ...). Types QuickFIX does not know are kept as
   * written (upper-cased) and listed in `DataDictionary.unknownTypes`.
   */
  readonly type: string;
  /** Enumerated values: value -> description ('' when the dictionary gives none); null when none. */
  readonly values: ReadonlyMap<string, string> | null;
}

/** The fields and groups of a header, trailer, message or group body, components flattened in. */
export interface MemberSet {
  /** Every field tag directly in this set (group count tags included) -> required. */
  readonly fields: ReadonlyMap<number, boolean>;
  /** Count (NumInGroup) tag -> group definition. */
  readonly groups: ReadonlyMap<number, GroupDef>;
  /** Field tags in definition order (components expanded in place, group members not included). */
  readonly order: readonly number[];
}

/** A repeating group: its members form a member set of their own. */
export interface GroupDef extends MemberSet {
  /** The NumInGroup field that carries the number of entries. */
  readonly countTag: number;
  /** Name of the count field. */
  readonly name: string;
  /** Tag of the first member, which starts every entry. */
  readonly delimiter: number;
  /** Whether the group must be present where it is used. */
  readonly required: boolean;
}

/** A message of the `<messages>` section. */
export interface MessageDef extends MemberSet {
  readonly msgType: string;
  readonly name: string;
  /** `msgcat` of the dictionary; when absent, 'admin' for the session-level types 0 1 2 3 4 5 A. */
  readonly category: 'admin' | 'app';
}

/** A component of the `<components>` section, with nested components flattened in. */
export interface ComponentDef extends MemberSet {
  readonly name: string;
}

/** The session-level message types of every FIX version. */
export const SESSION_MSG_TYPES: ReadonlySet<string> = new Set(['0', '1', '2', '3', '4', '5', 'A']);
