/**
 * Message validation against data dictionaries, following QuickFIX's order of checks so the
 * same message gets the same reject: field order (header, body, trailer), repeating-group member
 * order, MsgType, required fields, then every field in tag order — repeated tag, empty value,
 * format, enum value, known tag, allowed in this message, NumInGroup count.
 */
import { scanGroup, type GroupScan } from '../codec/groups.js';
import type { MessageView } from '../codec/message-view.js';
import { STANDARD_HEADER_TAGS, STANDARD_TRAILER_TAGS, type GroupSchema, type MessageSchema } from '../codec/schema.js';
import { latin1 } from '../codec/bytes.js';
import { formatCheck, MULTIPLE_VALUE_TYPES } from './formats.js';
import { SessionRejectReason as R, rejectText } from './reject-reason.js';

/** Fields of a header, trailer, message body or group, with required flags and groups. */
export interface MemberSetLike {
  readonly fields: ReadonlyMap<number, boolean>;
  readonly groups: ReadonlyMap<number, GroupSchema>;
}

/** What validation needs from a dictionary (`DataDictionary` provides it). */
export interface ValidationDictionary extends MessageSchema {
  /** BeginString the dictionary describes: CHAR fields are only checked as single characters after FIX 4.1. */
  readonly beginString?: string;
  readonly header: MemberSetLike;
  readonly trailer: MemberSetLike;
  message(msgType: string): MemberSetLike | undefined;
}

/** QuickFIX's validation switches (settings of the same names). */
export interface ValidationOptions {
  /** `ValidateFieldsOutOfOrder` (default true): header, body and trailer fields must not mix. */
  validateFieldsOutOfOrder: boolean;
  /** `ValidateFieldsHaveValues` (default true): empty values are refused. */
  validateFieldsHaveValues: boolean;
  /** `ValidateUserDefinedFields` (default true): tags >= 5000 must be defined too. */
  validateUserDefinedFields: boolean;
  /** `AllowUnknownMsgFields` (default false): unknown tags below 5000 pass. */
  allowUnknownMsgFields: boolean;
  /** `AllowUnknownEnumValues` (default false): values outside a field's enum pass. */
  allowUnknownEnumValues: boolean;
  /** `ValidateUnorderedGroupFields` (default true): group members must follow the defined order. */
  validateUnorderedGroupFields: boolean;
  /** `FirstFieldInGroupIsDelimiter` (default false): with unordered validation off, only require entries to start with the delimiter. */
  firstFieldInGroupIsDelimiter: boolean;
}

/** The validation switches as QuickFIX defaults them. */
export const DEFAULT_VALIDATION: Readonly<ValidationOptions> = {
  validateFieldsOutOfOrder: true,
  validateFieldsHaveValues: true,
  validateUserDefinedFields: true,
  allowUnknownMsgFields: false,
  allowUnknownEnumValues: false,
  validateUnorderedGroupFields: true,
  firstFieldInGroupIsDelimiter: false,
};

/** Why a message is refused: the SessionRejectReason, the tag involved and QuickFIX's text. */
export interface Rejection {
  readonly reason: number;
  readonly tag: number | undefined;
  readonly text: string;
}

function reject(reason: number, tag?: number): Rejection {
  return { reason, tag, text: rejectText(reason) };
}

/** A group occurrence found while splitting the message. */
interface GroupAt {
  readonly index: number;
  readonly schema: GroupSchema;
  readonly scan: GroupScan;
}

/** The message split into sections, with the groups found. */
interface Layout {
  header: number[];
  body: number[];
  trailer: number[];
  groups: GroupAt[];
  outOfOrderTag: number | undefined;
}

const requiredCache = new WeakMap<MemberSetLike, number[]>();

/** Required tags of a member set in ascending order (cached). */
function requiredTags(set: MemberSetLike): number[] {
  let r = requiredCache.get(set);
  if (!r) {
    r = [...set.fields].filter(([, req]) => req).map(([t]) => t).sort((a, b) => a - b);
    requiredCache.set(set, r);
  }
  return r;
}

/** Checks received messages against a data dictionary as QuickFIX does, in its order, with its `Validate*`/`Allow*` switches. */
export class MessageValidator {
  readonly options: ValidationOptions;

  /**
   * @param transport dictionary of the session layer (header, trailer, admin messages): the FIX 4.x
   *   dictionary itself, or FIXT 1.1
   * @param app dictionary of application messages (the same for FIX 4.x)
   */
  constructor(
    readonly transport: ValidationDictionary,
    readonly app: ValidationDictionary = transport,
    options: Partial<ValidationOptions> = {},
  ) {
    this.options = { ...DEFAULT_VALIDATION, ...options };
  }

  /**
   * Validates a parsed message. `app` overrides the application dictionary (FIXT: the one for the
   * message's ApplVerID; admin messages use the transport dictionary). Returns null when valid.
   */
  validate(view: MessageView, app: ValidationDictionary = this.isAdmin(view.msgType) ? this.transport : this.app): Rejection | null {
    const msgType = view.msgType;
    const def = app.message(msgType);
    const layout = this.split(view, def);
    if (this.options.validateFieldsOutOfOrder && layout.outOfOrderTag !== undefined) {
      return reject(R.TagSpecifiedOutOfRequiredOrder, layout.outOfOrderTag);
    }
    const groupOrder = this.groupOrderProblem(layout.groups);
    if (groupOrder) return groupOrder;
    if (!def) return reject(R.InvalidMsgType);
    return (
      this.checkRequired(view, layout.header, this.transport.header) ??
      this.checkRequired(view, layout.trailer, this.transport.trailer) ??
      this.checkRequired(view, layout.body, def) ??
      this.checkGroupsRequired(view, layout.groups) ??
      this.iterate(view, layout.header, this.transport, undefined, layout.groups) ??
      this.iterate(view, layout.trailer, this.transport, undefined, layout.groups) ??
      this.iterate(view, layout.body, app, def, layout.groups) ??
      this.iterateGroups(view, layout.groups, app)
    );
  }

  private isAdmin(msgType: string): boolean {
    return msgType.length === 1 && '0A12345'.includes(msgType);
  }

  /** Splits top-level fields into sections and finds the groups (QuickFIX's parse rules). */
  private split(view: MessageView, def: MemberSetLike | undefined): Layout {
    const tags = view.table.tags;
    const n = view.fieldCount;
    const layout: Layout = { header: [], body: [], trailer: [], groups: [], outOfOrderTag: undefined };
    let section = 0;
    let i = 0;
    while (i < n) {
      const tag = tags[i];
      let group: GroupSchema | undefined;
      // As in QuickFIX, the standard header and trailer tags count as such whatever the dictionary says.
      if (tag !== 10 && (STANDARD_HEADER_TAGS.has(tag) || this.transport.isHeaderField(tag))) {
        if (section !== 0) layout.outOfOrderTag ??= tag;
        layout.header.push(i);
        group = this.transport.header.groups.get(tag);
      } else if (STANDARD_TRAILER_TAGS.has(tag) || this.transport.isTrailerField(tag)) {
        section = 2;
        layout.trailer.push(i);
        group = this.transport.trailer.groups.get(tag);
      } else {
        if (section === 2) layout.outOfOrderTag ??= tag;
        section = 1;
        layout.body.push(i);
        group = def?.groups.get(tag);
      }
      if (group) {
        const scan = scanGroup(view.buf, view.table, i, group, n);
        layout.groups.push({ index: i, schema: group, scan });
        i = Math.max(scan.next, i + 1);
      } else {
        i++;
      }
    }
    return layout;
  }

  /** Member order inside groups (QuickFIX/J's ValidateUnorderedGroupFields / FirstFieldInGroupIsDelimiter). */
  private groupOrderProblem(groups: GroupAt[]): Rejection | null {
    const o = this.options;
    for (const g of groups) {
      const err = g.scan.error;
      if (!err) continue;
      if (err.reason === 'out-of-order' && o.validateUnorderedGroupFields) return reject(R.RepeatingGroupFieldsOutOfOrder, err.tag);
      if (err.reason === 'missing-delimiter' && (o.validateUnorderedGroupFields || o.firstFieldInGroupIsDelimiter)) {
        return reject(R.RepeatingGroupFieldsOutOfOrder, err.tag);
      }
    }
    return null;
  }

  private checkRequired(view: MessageView, indices: number[], set: MemberSetLike): Rejection | null {
    const tags = view.table.tags;
    for (const req of requiredTags(set)) {
      let found = false;
      for (let k = 0; k < indices.length; k++) {
        if (tags[indices[k]] === req) {
          found = true;
          break;
        }
      }
      if (!found) return reject(R.RequiredTagMissing, req);
    }
    return null;
  }

  private checkGroupsRequired(view: MessageView, groups: readonly GroupAt[]): Rejection | null {
    for (const g of groups) {
      for (const e of g.scan.entries) {
        const { fields, nested } = this.entryLayout(view, e.from, e.to, g.schema);
        const r = this.checkRequired(view, fields, g.schema) ?? this.checkGroupsRequired(view, nested);
        if (r) return r;
      }
    }
    return null;
  }

  /** Top-level fields of one group entry and the nested groups in it. */
  private entryLayout(view: MessageView, from: number, to: number, schema: GroupSchema): { fields: number[]; nested: GroupAt[] } {
    const fields: number[] = [];
    const nested: GroupAt[] = [];
    let i = from;
    while (i < to) {
      fields.push(i);
      const inner = schema.groups.get(view.table.tags[i]);
      if (inner) {
        const scan = scanGroup(view.buf, view.table, i, inner, to);
        nested.push({ index: i, schema: inner, scan });
        i = Math.max(scan.next, i + 1);
      } else {
        i++;
      }
    }
    return { fields, nested };
  }

  /** Checks fields in ascending tag order, as QuickFIX iterates its sorted field maps. */
  private iterate(
    view: MessageView,
    indices: number[],
    dict: ValidationDictionary,
    container: MemberSetLike | undefined,
    groups: readonly GroupAt[],
  ): Rejection | null {
    const tags = view.table.tags;
    const sorted = indices.slice().sort((a, b) => tags[a] - tags[b] || a - b);
    let last = Number.NaN;
    for (const i of sorted) {
      const tag = tags[i];
      if (tag === last) return reject(R.TagAppearsMoreThanOnce, tag);
      last = tag;
      const r = this.checkField(view, i, dict, container, groups);
      if (r) return r;
    }
    return null;
  }

  private checkField(
    view: MessageView,
    i: number,
    dict: ValidationDictionary,
    container: MemberSetLike | undefined,
    groups: readonly GroupAt[],
  ): Rejection | null {
    const o = this.options;
    const tag = view.table.tags[i];
    const s = view.table.starts[i];
    const e = view.table.ends[i];
    if (tag === 8 || tag === 9 || tag === 10) return null;
    // ClusterTopologySupport(21110) on a Logon: a fixover initiator announcing cluster support (docs/cluster.md).
    if (tag === 21110 && view.msgType === 'A') return null;
    if (o.validateFieldsHaveValues && s === e) return reject(R.TagSpecifiedWithoutValue, tag);
    const def = dict.field(tag);
    if (def && s !== e) {
      const check = def.type === 'CHAR' && isOldFix(dict.beginString) ? undefined : formatCheck(def.type);
      if (check && !check(view.buf, s, e)) return reject(R.IncorrectDataFormat, tag);
      if (def.values && def.values.size > 0 && !o.allowUnknownEnumValues && !enumOk(def.values, def.type, latin1(view.buf, s, e))) {
        return reject(R.ValueIsIncorrect, tag);
      }
    }
    const checkTag = tag < 5000 ? !o.allowUnknownMsgFields : o.validateUserDefinedFields;
    if (!checkTag) return null;
    if (!def) return reject(R.InvalidTagNumber, tag);
    if (container && !container.fields.has(tag)) return reject(R.TagNotDefinedForMessageType, tag);
    const g = groups.find((x) => x.index === i);
    if (g && g.scan.entries.length !== g.scan.declared) return reject(R.IncorrectNumInGroupCount, tag);
    return null;
  }

  /** Field checks inside every group entry, nested groups included. */
  private iterateGroups(view: MessageView, groups: readonly GroupAt[], dict: ValidationDictionary): Rejection | null {
    for (const g of groups) {
      for (const e of g.scan.entries) {
        const { fields, nested } = this.entryLayout(view, e.from, e.to, g.schema);
        const r = this.iterate(view, fields, dict, g.schema, nested) ?? this.iterateGroups(view, nested, dict);
        if (r) return r;
      }
    }
    return null;
  }
}

/** FIX 4.0 and 4.1 used "char" for text: QuickFIX checks CHAR as a single character only from FIX 4.2 on. */
function isOldFix(beginString: string | undefined): boolean {
  return beginString === 'FIX.4.0' || beginString === 'FIX.4.1';
}

function enumOk(values: ReadonlyMap<string, string>, type: string, value: string): boolean {
  if (!MULTIPLE_VALUE_TYPES.has(type)) return values.has(value);
  for (const v of value.split(' ')) if (!values.has(v)) return false;
  return true;
}
