/**
 * `DataDictionary`: a loaded QuickFIX data dictionary with the lookups that message parsing and
 * validation make for every field (tag-indexed arrays and byte maps, Maps for the rest).
 */
import type { MessageSchema } from '../codec/schema.js';
import { DATA_TYPES, pairDataFields } from './data-pairs.js';
import { SESSION_MSG_TYPES, type ComponentDef, type FieldDef, type GroupDef, type MemberSet, type MessageDef } from './model.js';
import { TagSet, TagTable } from './tag-index.js';

/** Everything a dictionary is made of; `parseDictionary` produces it from XML. */
export interface DictionaryParts {
  /** File path, or '<string>'. */
  readonly source: string;
  readonly type: 'FIX' | 'FIXT';
  readonly major: number;
  readonly minor: number;
  readonly servicePack: number;
  readonly fields: readonly FieldDef[];
  readonly header: MemberSet;
  readonly trailer: MemberSet;
  readonly messages: readonly MessageDef[];
  readonly components: readonly ComponentDef[];
  /** Field types outside the ones QuickFIX knows (upper-cased). */
  readonly unknownTypes?: ReadonlySet<string>;
  /** Problems that did not stop loading. */
  readonly warnings?: readonly string[];
}

/** The BeginString a dictionary describes: FIX.4.4, FIXT.1.1, FIX.5.0SP2, ... */
export function beginStringOf(type: 'FIX' | 'FIXT', major: number, minor: number, servicePack: number): string {
  const base = `${type}.${major}.${minor}`;
  return type === 'FIX' && major >= 5 && servicePack > 0 ? `${base}SP${servicePack}` : base;
}

/** A QuickFIX data dictionary: fields, header, trailer, messages and components. */
export class DataDictionary implements MessageSchema {
  /** File path, or '<string>' for a dictionary parsed from a string. */
  readonly source: string;
  readonly type: 'FIX' | 'FIXT';
  readonly major: number;
  readonly minor: number;
  readonly servicePack: number;
  /** 'FIX.4.2', 'FIX.4.4', 'FIXT.1.1'; FIX 5 application dictionaries: 'FIX.5.0', 'FIX.5.0SP1', 'FIX.5.0SP2'. */
  readonly beginString: string;
  readonly header: MemberSet;
  readonly trailer: MemberSet;
  /** Field types outside the ones QuickFIX knows (upper-cased); such fields are treated as text. */
  readonly unknownTypes: ReadonlySet<string>;
  /** Problems that did not stop loading (unknown elements and types, repeated enum values, ...). */
  readonly warnings: readonly string[];

  private readonly fieldList: readonly FieldDef[];
  private readonly byTag: TagTable<FieldDef>;
  private readonly byName: ReadonlyMap<string, FieldDef>;
  private readonly messageList: readonly MessageDef[];
  private readonly messageMap: ReadonlyMap<string, MessageDef>;
  private readonly componentList: readonly ComponentDef[];
  private readonly componentMap: ReadonlyMap<string, ComponentDef>;
  private readonly headerTags: TagSet;
  private readonly trailerTags: TagSet;
  private readonly dataTags: TagSet;
  private readonly lengthTags: ReadonlyMap<number, number>;

  /** Builds the indexes over the parts (normally called by `parseDictionary`). */
  constructor(parts: DictionaryParts) {
    this.source = parts.source;
    this.type = parts.type;
    this.major = parts.major;
    this.minor = parts.minor;
    this.servicePack = parts.servicePack;
    this.beginString = beginStringOf(parts.type, parts.major, parts.minor, parts.servicePack);
    this.header = parts.header;
    this.trailer = parts.trailer;
    this.unknownTypes = parts.unknownTypes ?? new Set();
    this.warnings = parts.warnings ?? [];
    this.fieldList = parts.fields;
    this.byTag = new TagTable(parts.fields.map((f) => [f.tag, f] as const));
    this.byName = new Map(parts.fields.map((f) => [f.name, f]));
    this.messageList = parts.messages;
    this.messageMap = new Map(parts.messages.map((m) => [m.msgType, m]));
    this.componentList = parts.components;
    this.componentMap = new Map(parts.components.map((c) => [c.name, c]));
    this.headerTags = new TagSet(parts.header.fields.keys());
    this.trailerTags = new TagSet(parts.trailer.fields.keys());
    this.dataTags = new TagSet(parts.fields.filter((f) => DATA_TYPES.has(f.type)).map((f) => f.tag));
    this.lengthTags = pairDataFields(parts.fields, (t) => this.byTag.get(t), (n) => this.byName.get(n));
  }

  /** The field with this tag. */
  field(tag: number): FieldDef | undefined {
    return this.byTag.get(tag);
  }

  /** The field with this name (case-sensitive, as in the dictionary). */
  fieldByName(name: string): FieldDef | undefined {
    return this.byName.get(name);
  }

  /** Every field, in definition order. */
  fields(): Iterable<FieldDef> {
    return this.fieldList;
  }

  /** The message with this MsgType. */
  message(msgType: string): MessageDef | undefined {
    return this.messageMap.get(msgType);
  }

  /** Every message, in definition order. */
  messages(): Iterable<MessageDef> {
    return this.messageList;
  }

  /** The component with this name (members flattened). */
  component(name: string): ComponentDef | undefined {
    return this.componentMap.get(name);
  }

  /** Every component, in definition order. */
  components(): Iterable<ComponentDef> {
    return this.componentList;
  }

  /** Whether the tag is a field of the header (group count tags included, group members not). */
  isHeaderField(tag: number): boolean {
    return this.headerTags.has(tag);
  }

  /** Whether the tag is a field of the trailer. */
  isTrailerField(tag: number): boolean {
    return this.trailerTags.has(tag);
  }

  /**
   * Whether the MsgType is an administrative (session-level) message: the message's category when
   * the dictionary defines it, else whether it is one of the session types 0 1 2 3 4 5 A.
   */
  isAdminMessage(msgType: string): boolean {
    const def = this.messageMap.get(msgType);
    return def ? def.category === 'admin' : SESSION_MSG_TYPES.has(msgType);
  }

  /** Whether the field's type is DATA or XMLDATA (raw bytes, read by length). */
  isDataField(tag: number): boolean {
    return this.dataTags.has(tag);
  }

  /** The LENGTH field that announces the size of a DATA/XMLDATA field, e.g. 96 -> 95, 89 -> 93. */
  lengthTagOf(dataTag: number): number | undefined {
    return this.lengthTags.get(dataTag);
  }

  /** Every (length tag, data tag) pair, e.g. to build the codec's `DataFieldMap`. */
  dataFieldPairs(): Array<readonly [number, number]> {
    return [...this.lengthTags].map(([data, length]) => [length, data] as const);
  }

  /** The group with this count tag: in the header, the trailer, then the top level of the message. */
  group(msgType: string, countTag: number): GroupDef | undefined {
    return this.header.groups.get(countTag) ?? this.trailer.groups.get(countTag) ?? this.messageMap.get(msgType)?.groups.get(countTag);
  }

  /** Whether the tag is allowed at the top level of that message's body. */
  isMessageField(msgType: string, tag: number): boolean {
    return this.messageMap.get(msgType)?.fields.has(tag) ?? false;
  }

  /** Whether the tag is required at the top level of that message's body. */
  isRequiredField(msgType: string, tag: number): boolean {
    return this.messageMap.get(msgType)?.fields.get(tag) ?? false;
  }
}
