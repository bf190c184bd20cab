/**
 * What the generated typed messages (`fixover generate`, and the shipped `fixover/messages/<version>`
 * modules) run on: readers that are thin views over a `MessageView` (a getter per field that reads
 * its tag, repeating groups read on access), builders from plain objects, and the cracker.
 *
 * A version module hands `defineVersion` a compact description of its dictionary — tags and kinds
 * of fields, the header, components, messages and groups with their members — and gets the three
 * back. Components are flattened as the dictionary loader flattens them, so readers and builders
 * know exactly the fields and groups the session's validation knows.
 */
import { FixoverError, FieldNotFoundError } from '../codec/errors.js';
import { Group } from '../codec/field-map.js';
import { Message } from '../codec/message.js';
import type { GroupView, MessageView } from '../codec/message-view.js';
import type { GroupSchema } from '../codec/schema.js';
import { formatDate, formatTimeOfDay, formatUtcTimestamp, type FixDate, type FixTime } from '../codec/values.js';
import { UnsupportedMessageType } from '../session/errors.js';

export type { MessageView, GroupView } from '../codec/message-view.js';
export type { Message } from '../codec/message.js';
export type { FixDate, FixTime, FixMonthYear } from '../codec/values.js';

/**
 * How a field is read and written: s text, c single character, i integer, n decimal (a number),
 * b boolean (Y/N), t UTCTimestamp (a Date), o UTCTimeOnly, d date (UTCDateOnly, LocalMktDate),
 * m MonthYear, x raw data (bytes).
 */
export type FieldKind = 's' | 'c' | 'i' | 'n' | 'b' | 't' | 'o' | 'd' | 'm' | 'x';

/**
 * A member of a header, component, message or group: a field name (`+` in front when required),
 * a component reference `['c', name, required]`, or a group `['g', countFieldName, required, members]`.
 */
export type MemberSpec = string | readonly ['c', string, 0 | 1] | readonly ['g', string, 0 | 1, readonly MemberSpec[]];

/** The description of a FIX version that generated code hands to {@link defineVersion}. */
export interface VersionSpec {
  /** BeginString put on built messages when no session makes them (`FIXT.1.1` for FIX 5.0 and later). */
  readonly beginString: string;
  /** Tag by field name, in the order of `kinds`. */
  readonly tags: Readonly<Record<string, number>>;
  /** One {@link FieldKind} letter per field of `tags`, in the same order. */
  readonly kinds: string;
  readonly header: readonly MemberSpec[];
  readonly components: Readonly<Record<string, readonly MemberSpec[]>>;
  /** Message name -> [MsgType, members]. */
  readonly messages: Readonly<Record<string, readonly [string, readonly MemberSpec[]]>>;
}

/** Something that makes messages for a session: a `Session` (its `newMessage`) fits. */
export interface MessageFactory {
  newMessage(msgType: string): Message;
}

/** A builder was given a field its message does not have, or a value its field cannot take. */
export class TypedMessageError extends FixoverError {
  /** Machine-readable kind of problem. */
  override readonly code = 'TYPED_MESSAGE';
}

/** The base of every generated reader: the view it reads, re-pointable without allocating. */
export class TypedReader {
  constructor(
    /** The parsed message or group entry whose fields the getters read. */
    public view: MessageView | GroupView,
  ) {}

  /** MsgType(35) of the message read. */
  get msgType(): string {
    return this.view.msgType;
  }

  /** The fields with `|` for SOH. */
  toString(): string {
    return this.view.toString();
  }
}

interface FlatField {
  readonly group: false;
  readonly name: string;
  readonly tag: number;
  readonly kind: FieldKind;
  readonly required: boolean;
}

interface FlatGroup {
  readonly group: true;
  readonly name: string;
  readonly tag: number;
  readonly required: boolean;
  readonly members: FlatSet;
}

type FlatMember = FlatField | FlatGroup;

/** Members by name in definition order, components flattened in. */
class FlatSet {
  readonly byName = new Map<string, FlatMember>();
  private layoutCache: GroupSchema | undefined;
  private readerCache: (new (view: MessageView | GroupView) => TypedReader) | undefined;

  add(m: FlatMember): void {
    const seen = this.byName.get(m.name);
    if (!seen) this.byName.set(m.name, m);
    else if (m.required && !seen.required) this.byName.set(m.name, { ...seen, required: true });
  }

  /** The group layout these members make, for scanning entries (as `GroupSchema`). */
  layout(countTag: number): GroupSchema {
    if (this.layoutCache) return this.layoutCache;
    const fields = new Map<number, boolean>();
    const groups = new Map<number, GroupSchema>();
    const order: number[] = [];
    for (const m of this.byName.values()) {
      fields.set(m.tag, m.required);
      order.push(m.tag);
      if (m.group) groups.set(m.tag, m.members.layout(m.tag));
    }
    this.layoutCache = { countTag, delimiter: order[0], fields, groups, order };
    return this.layoutCache;
  }

  /** A reader class with a getter per member. */
  reader(): new (view: MessageView | GroupView) => TypedReader {
    if (this.readerCache) return this.readerCache;
    const cls = class extends TypedReader {};
    for (const m of this.byName.values()) {
      Object.defineProperty(cls.prototype, m.name, { get: m.group ? groupGetter(m) : fieldGetter(m), enumerable: true, configurable: false });
    }
    this.readerCache = cls;
    return cls;
  }
}

function missing(tag: number): never {
  throw new FieldNotFoundError(tag);
}

/** The getter of a field: one read of its tag through the view's typed getters. */
function fieldGetter(f: FlatField): (this: TypedReader) => unknown {
  const tag = f.tag;
  if (f.required) {
    switch (f.kind) {
      case 's':
        return function (this: TypedReader) {
          return this.view.getString(tag);
        };
      case 'c':
        return function (this: TypedReader) {
          return this.view.getChar(tag);
        };
      case 'i':
        return function (this: TypedReader) {
          return this.view.getInt(tag);
        };
      case 'n':
        return function (this: TypedReader) {
          return this.view.getNumber(tag);
        };
      case 'b':
        return function (this: TypedReader) {
          return this.view.getBoolean(tag);
        };
      case 't':
        return function (this: TypedReader) {
          return this.view.getDate(tag);
        };
      case 'o':
        return function (this: TypedReader) {
          return this.view.getTimeOnly(tag);
        };
      case 'd':
        return function (this: TypedReader) {
          return this.view.getDateOnly(tag);
        };
      case 'm':
        return function (this: TypedReader) {
          return this.view.getMonthYear(tag);
        };
      case 'x':
        return function (this: TypedReader) {
          return this.view.getBytes(tag) ?? missing(tag);
        };
    }
  }
  switch (f.kind) {
    case 's':
      return function (this: TypedReader) {
        return this.view.get(tag);
      };
    case 'c':
      return function (this: TypedReader) {
        return this.view.optChar(tag);
      };
    case 'i':
      return function (this: TypedReader) {
        return this.view.optInt(tag);
      };
    case 'n':
      return function (this: TypedReader) {
        return this.view.optNumber(tag);
      };
    case 'b':
      return function (this: TypedReader) {
        return this.view.optBoolean(tag);
      };
    case 't':
      return function (this: TypedReader) {
        return this.view.has(tag) ? this.view.getDate(tag) : undefined;
      };
    case 'o':
      return function (this: TypedReader) {
        return this.view.has(tag) ? this.view.getTimeOnly(tag) : undefined;
      };
    case 'd':
      return function (this: TypedReader) {
        return this.view.has(tag) ? this.view.getDateOnly(tag) : undefined;
      };
    case 'm':
      return function (this: TypedReader) {
        return this.view.has(tag) ? this.view.getMonthYear(tag) : undefined;
      };
    case 'x':
      return function (this: TypedReader) {
        return this.view.getBytes(tag);
      };
  }
}

/** The getter of a repeating group: its entries, scanned and wrapped when read (never before). */
function groupGetter(g: FlatGroup): (this: TypedReader) => unknown {
  return function (this: TypedReader) {
    const Entry = g.members.reader();
    return this.view.groupsWith(g.members.layout(g.tag)).map((e) => new Entry(e));
  };
}

/** The text of a builder value for a field of kind `kind`. */
function valueOf(kind: FieldKind, value: unknown, name: string): string | number | boolean | Uint8Array {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Uint8Array) return value;
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) throw new TypedMessageError(`${name}: invalid Date`);
    if (kind === 't') return formatUtcTimestamp(ms, 3);
    if (kind === 'o') return formatTimeOfDay(ms, 3);
    if (kind === 'd') return formatDate(value);
    if (kind === 'm') return formatDate(value).slice(0, 6);
  } else if (typeof value === 'object' && value !== null) {
    const o = value as Partial<FixDate & FixTime>;
    if ((kind === 'd' || kind === 'm') && typeof o.year === 'number' && typeof o.month === 'number') {
      return kind === 'm' && typeof o.day !== 'number' ? formatDate({ year: o.year, month: o.month, day: 1 }).slice(0, 6) : formatDate(o as FixDate);
    }
    if ((kind === 't' || kind === 'o') && typeof o.millis === 'number') {
      const p = o.precision === 0 || o.precision === 6 || o.precision === 9 ? o.precision : 3;
      return kind === 't' ? formatUtcTimestamp(o.millis, p, o.nanos ?? 0) : formatTimeOfDay(o.millis, p, o.nanos ?? 0);
    }
  }
  throw new TypedMessageError(`${name}: cannot write ${value instanceof Date ? 'a Date' : typeof value} in a field of kind ${kind}`);
}

/** Fills a message or group entry from a plain object of field values and group entry lists. */
function fill(target: Message | Group, members: FlatSet, values: Readonly<Record<string, unknown>>, owner: string): void {
  for (const key of Object.keys(values)) {
    const value = values[key];
    if (value === undefined) continue;
    const m = members.byName.get(key);
    if (!m) throw new TypedMessageError(`${owner} has no field or group ${key}`);
    if (!m.group) {
      target.set(m.tag, valueOf(m.kind, value, `${owner}.${key}`));
      continue;
    }
    if (!Array.isArray(value)) throw new TypedMessageError(`${owner}.${key} is a repeating group: give an array of entries`);
    const layout = m.members.layout(m.tag);
    const entries = (value as unknown[]).map((entry, i) => {
      const g = new Group(m.tag, layout.delimiter, layout);
      fill(g, m.members, entry as Record<string, unknown>, `${owner}.${key}[${i}]`);
      return g;
    });
    if (target instanceof Message) target.sectionFor(m.tag).setGroups(m.tag, entries);
    else target.setGroups(m.tag, entries);
  }
}

/** What {@link defineVersion} gives a generated version module. */
export interface VersionRuntime {
  /** A new reader of the named message over `view` (one allocation; `crack` reuses its readers). */
  read(name: string, view: MessageView): TypedReader;
  /** A message of the named type filled from `fields`; made by `to` (a session) when given. */
  build(name: string, fields: object, to?: MessageFactory): Message;
  /**
   * Calls the handler named after the view's message type with a typed reader (reused: valid
   * during the call, like the view), else `handlers.default` with the view; without either,
   * throws `UnsupportedMessageType`, which a session answers with a (business) reject.
   */
  crack(view: MessageView, handlers: object, context: unknown): unknown;
  /** Message name by MsgType. */
  readonly names: ReadonlyMap<string, string>;
}

function isThenable(x: unknown): boolean {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

/** Builds the readers, builders and cracker of a version from its description. */
export function defineVersion(spec: VersionSpec): VersionRuntime {
  const fieldKinds = new Map<string, FieldKind>();
  let k = 0;
  for (const name of Object.keys(spec.tags)) fieldKinds.set(name, spec.kinds[k++] as FieldKind);
  const components = new Map<string, FlatSet>();
  const flatten = (members: readonly MemberSpec[], set = new FlatSet()): FlatSet => {
    for (const m of members) {
      if (typeof m === 'string') {
        const required = m.startsWith('+');
        const name = required ? m.slice(1) : m;
        set.add({ group: false, name, tag: spec.tags[name], kind: fieldKinds.get(name) ?? 's', required });
      } else if (m[0] === 'c') {
        const required = m[2] === 1;
        for (const inner of component(m[1]).byName.values()) {
          set.add(inner.group ? (required || !inner.required ? inner : { ...inner, required: false }) : { ...inner, required: required && inner.required });
        }
      } else {
        set.add({ group: true, name: m[1], tag: spec.tags[m[1]], required: m[2] === 1, members: flatten(m[3]) });
      }
    }
    return set;
  };
  const component = (name: string): FlatSet => {
    let c = components.get(name);
    if (!c) {
      c = flatten(spec.components[name]);
      components.set(name, c);
    }
    return c;
  };
  const messages = new Map<string, FlatSet>();
  const message = (name: string): FlatSet => {
    let m = messages.get(name);
    if (!m) {
      const def = spec.messages[name];
      if (!def) throw new TypedMessageError(`no message ${name} in ${spec.beginString}`);
      // The header first: a body field of the same name (none in the shipped dictionaries) wins.
      m = flatten(def[1], flatten(spec.header));
      messages.set(name, m);
    }
    return m;
  };
  const names = new Map<string, string>(Object.entries(spec.messages).map(([name, [msgType]]) => [msgType, name]));
  /**
   * A reader per message type ready for reuse. It is taken while a handler runs and put back when
   * the handler returns, unless it returned a promise: an asynchronous handler keeps its reader
   * (another session may crack a message of the same type meanwhile), and the next call makes one.
   */
  const spare = new Map<string, { reader: TypedReader | undefined }>();
  return {
    names,
    read(name, view) {
      const def = spec.messages[name];
      if (def && view.msgType !== def[0]) throw new TypedMessageError(`message type ${view.msgType} is not ${name} (${def[0]})`);
      return new (message(name).reader())(view);
    },
    build(name, fields, to) {
      const def = spec.messages[name];
      if (!def) throw new TypedMessageError(`no message ${name} in ${spec.beginString}`);
      const msg = to ? to.newMessage(def[0]) : new Message(def[0]);
      if (!to) msg.header.set(8, spec.beginString);
      fill(msg, message(name), fields as Readonly<Record<string, unknown>>, name);
      return msg;
    },
    crack(view, handlers, context) {
      const name = names.get(view.msgType);
      const table = handlers as Record<string, ((msg: unknown, context: unknown) => unknown) | undefined>;
      const handler = name === undefined ? undefined : table[name];
      if (handler !== undefined) {
        let slot = spare.get(name!);
        if (slot === undefined) spare.set(name!, (slot = { reader: undefined }));
        let reader = slot.reader;
        if (reader === undefined) reader = new (message(name!).reader())(view);
        else {
          slot.reader = undefined;
          reader.view = view;
        }
        const result = handler.call(handlers, reader, context);
        if (!isThenable(result)) slot.reader = reader;
        return result;
      }
      if (table.default !== undefined) return table.default.call(handlers, view, context);
      throw new UnsupportedMessageType();
    },
  };
}

/** A component included by an optional reference: its fields may be absent (its groups read as empty). */
export type Loose<T> = { readonly [K in keyof T]: T[K] extends readonly unknown[] ? T[K] : T[K] | undefined };
