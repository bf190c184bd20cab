/**
 * Generates the data dictionaries fixover ships in `dict/` (QuickFIX XML format) from the FIX
 * Repository published by the FIX Trading Community, in the copy the jspurefix dev dependency
 * carries (`node_modules/jspurefix/data/fix_repo/<version>/Base/*.xml`).
 *
 *   npx tsx scripts/gen-dictionaries.ts      (or: npm run gen:dictionaries)
 *
 * For each version the repository's Fields, Enums, Messages, Components and MsgContents are read
 * into a small model (fields with enumerations; header, trailer, messages and components as trees
 * of fields, component references and repeating groups), the overlay of deliberate adjustments
 * below is applied, and the model is written as `dict/<name>.xml`. The overlay is also rendered as
 * the table in `docs/dictionaries.md` (between the `overlay:begin` / `overlay:end` markers).
 *
 * Output is deterministic: fields by tag, messages and enumerations in repository order,
 * components by name.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';

// ---------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------

/** A member of a header, trailer, message, component or group body. */
export type Member =
  | { kind: 'field'; tag: number; required: boolean }
  | { kind: 'component'; name: string; required: boolean }
  | { kind: 'group'; tag: number; required: boolean; members: Member[] };

export interface FieldModel {
  tag: number;
  name: string;
  /** QuickFIX type name (upper case). */
  type: string;
  /** Enumerated values in order: value -> description (UPPER_SNAKE). Empty when none. */
  values: Map<string, string>;
}

export interface MessageModel {
  msgType: string;
  name: string;
  category: 'admin' | 'app';
  members: Member[];
}

export interface DictionaryModel {
  file: string;
  type: 'FIX' | 'FIXT';
  major: number;
  minor: number;
  servicePack: number;
  /** Repository version the model was read from. */
  repoVersion: string;
  fields: Map<number, FieldModel>;
  header: Member[];
  trailer: Member[];
  messages: MessageModel[];
  components: Map<string, Member[]>;
}

/** What to generate: one entry per shipped dictionary. */
export interface Target {
  file: string;
  type: 'FIX' | 'FIXT';
  major: number;
  minor: number;
  servicePack: number;
  repoVersion: string;
  /**
   * `full`: a FIX 4.x dictionary (header, trailer, every message).
   * `application`: a FIX 5.0+ application dictionary (empty header and trailer, no session messages).
   * `transport`: FIXT 1.1 (header, trailer, session messages and only the fields they use).
   */
  kind: 'full' | 'application' | 'transport';
}

export const TARGETS: readonly Target[] = [
  { file: 'FIX40.xml', type: 'FIX', major: 4, minor: 0, servicePack: 0, repoVersion: 'FIX.4.0', kind: 'full' },
  { file: 'FIX41.xml', type: 'FIX', major: 4, minor: 1, servicePack: 0, repoVersion: 'FIX.4.1', kind: 'full' },
  { file: 'FIX42.xml', type: 'FIX', major: 4, minor: 2, servicePack: 0, repoVersion: 'FIX.4.2', kind: 'full' },
  { file: 'FIX43.xml', type: 'FIX', major: 4, minor: 3, servicePack: 0, repoVersion: 'FIX.4.3', kind: 'full' },
  { file: 'FIX44.xml', type: 'FIX', major: 4, minor: 4, servicePack: 0, repoVersion: 'FIX.4.4', kind: 'full' },
  { file: 'FIX50.xml', type: 'FIX', major: 5, minor: 0, servicePack: 0, repoVersion: 'FIX.5.0', kind: 'application' },
  { file: 'FIX50SP1.xml', type: 'FIX', major: 5, minor: 0, servicePack: 1, repoVersion: 'FIX.5.0SP1', kind: 'application' },
  { file: 'FIX50SP2.xml', type: 'FIX', major: 5, minor: 0, servicePack: 2, repoVersion: 'FIX.5.0SP2', kind: 'application' },
  { file: 'FIXT11.xml', type: 'FIXT', major: 1, minor: 1, servicePack: 0, repoVersion: 'FIX.5.0SP2', kind: 'transport' },
];

// ---------------------------------------------------------------------------------------------
// Reading the FIX Repository
// ---------------------------------------------------------------------------------------------

type Rec = Record<string, unknown>;

const repoParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  htmlEntities: true,
  isArray: (name) => ['Field', 'Enum', 'Message', 'MsgContent', 'Component'].includes(name),
});

function text(rec: Rec, key: string): string {
  const v = rec[key];
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') {
    const inner = (v as Rec)['#text'];
    return inner === undefined ? '' : String(inner as string | number).trim();
  }
  return String(v as string | number).trim();
}

function readRecords(repoDir: string, file: string, root: string, item: string): Rec[] {
  const doc = repoParser.parse(readFileSync(join(repoDir, file), 'utf8')) as Rec;
  const top = doc[root] as Rec | undefined;
  if (!top) throw new Error(`${repoDir}/${file}: no <${root}> element`);
  const list = top[item];
  return Array.isArray(list) ? (list as Rec[]) : [];
}

interface RepoField {
  tag: number;
  name: string;
  type: string;
  added: string;
  description: string;
}

interface RepoEnum {
  tag: number;
  value: string;
  symbolicName: string;
  description: string;
}

interface RepoContent {
  owner: string;
  text: string;
  indent: number;
  position: number;
  required: boolean;
}

interface RepoVersion {
  fields: RepoField[];
  enums: RepoEnum[];
  messages: Array<{ id: string; msgType: string; name: string; category: string }>;
  components: Array<{ id: string; name: string; type: string }>;
  contents: Map<string, RepoContent[]>;
}

function readRepo(repoRoot: string, version: string): RepoVersion {
  const dir = join(repoRoot, version, 'Base');
  const fields = readRecords(dir, 'Fields.xml', 'Fields', 'Field').map((r) => ({
    tag: Number(text(r, 'Tag')),
    name: text(r, 'Name'),
    type: text(r, 'Type'),
    added: String(r['@added'] ?? ''),
    description: text(r, 'Description'),
  }));
  const enums = readRecords(dir, 'Enums.xml', 'Enums', 'Enum').map((r) => ({
    tag: Number(text(r, 'Tag')),
    value: text(r, 'Value'),
    symbolicName: text(r, 'SymbolicName'),
    description: text(r, 'Description'),
  }));
  const messages = readRecords(dir, 'Messages.xml', 'Messages', 'Message').map((r) => ({
    id: text(r, 'ComponentID'),
    msgType: text(r, 'MsgType'),
    name: text(r, 'Name'),
    category: text(r, 'CategoryID'),
  }));
  const components = readRecords(dir, 'Components.xml', 'Components', 'Component').map((r) => ({
    id: text(r, 'ComponentID'),
    name: text(r, 'Name'),
    type: text(r, 'ComponentType'),
  }));
  const contents = new Map<string, RepoContent[]>();
  for (const r of readRecords(dir, 'MsgContents.xml', 'MsgContents', 'MsgContent')) {
    const c: RepoContent = {
      owner: text(r, 'ComponentID'),
      text: text(r, 'TagText'),
      indent: Number(text(r, 'Indent') || '0'),
      position: Number(text(r, 'Position')),
      required: text(r, 'Reqd') === '1',
    };
    let list = contents.get(c.owner);
    if (!list) contents.set(c.owner, (list = []));
    list.push(c);
  }
  for (const list of contents.values()) list.sort((a, b) => a.position - b.position);
  return { fields, enums, messages, components, contents };
}

/**
 * Turns an owner's contents (a flat list with indent levels) into a member tree: an entry
 * followed by entries indented one level deeper is a repeating group whose count field is that
 * entry and whose members are the deeper entries.
 */
function buildMembers(list: readonly RepoContent[], where: string): Member[] {
  let i = 0;
  const level = (base: number): Member[] => {
    const out: Member[] = [];
    while (i < list.length && list[i].indent >= base) {
      const c = list[i];
      if (c.indent > base) throw new Error(`${where}: '${c.text}' is indented without a count field before it`);
      i++;
      const isTag = /^\d+$/.test(c.text);
      if (i < list.length && list[i].indent > base) {
        if (!isTag) throw new Error(`${where}: component '${c.text}' is followed by indented entries`);
        out.push({ kind: 'group', tag: Number(c.text), required: c.required, members: level(base + 1) });
      } else if (isTag) {
        out.push({ kind: 'field', tag: Number(c.text), required: c.required });
      } else {
        out.push({ kind: 'component', name: c.text, required: c.required });
      }
    }
    return out;
  };
  const out = level(0);
  if (i !== list.length) throw new Error(`${where}: could not place every entry`);
  return out;
}

/** 'PerUnit' -> 'PER_UNIT', 'GTC' -> 'GTC', 'ISOCurrency' -> 'ISO_CURRENCY'. */
export function upperSnake(symbolic: string): string {
  const cleaned = symbolic.replace(/[^A-Za-z0-9]+/g, '_');
  return cleaned
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '')
    .toUpperCase();
}

/** Repository datatype -> QuickFIX type name. */
function quickfixType(repoType: string): string {
  return repoType.toUpperCase();
}

function enumDescription(e: RepoEnum): string {
  const base = upperSnake(e.symbolicName || e.description || e.value);
  return base === '' ? `VALUE_${e.value}` : base;
}

/** FIX 4.4's notes on the type a field had before 4.4: "(prior to FIX 4.4 field was of type UTCDate)". */
function typeBefore44(description: string): string | undefined {
  const m = /prior to FIX 4\.4[^)]*?of type (\w+)/i.exec(description);
  return m ? m[1] : undefined;
}

const VERSION_ORDER = ['FIX.2.7', 'FIX.3.0', 'FIX.4.0', 'FIX.4.1', 'FIX.4.2', 'FIX.4.3', 'FIX.4.4', 'FIX.5.0', 'FIX.5.0SP1', 'FIX.5.0SP2'];

/**
 * The field list of a version. For FIX 4.3 the copy of the repository we read carries FIX 4.2's
 * Fields.xml (its root says version="FIX.4.2"), so FIX 4.3's fields are taken from FIX 4.4's list
 * (fields added in 4.3 or before, with the type they had before 4.4 where 4.4 notes a change) plus
 * FIX 4.2 fields that 4.4 no longer lists. Names changed in 4.4 are put back by the overlay.
 */
function repoFields(repoRoot: string, version: string, repo: RepoVersion): RepoField[] {
  if (version !== 'FIX.4.3') return repo.fields;
  const fix44 = readRepo(repoRoot, 'FIX.4.4').fields;
  const upTo43 = new Set(VERSION_ORDER.slice(0, VERSION_ORDER.indexOf('FIX.4.3') + 1));
  const out = new Map<number, RepoField>();
  for (const f of fix44) {
    if (!upTo43.has(f.added)) continue;
    out.set(f.tag, { ...f, type: typeBefore44(f.description) ?? f.type });
  }
  for (const f of repo.fields) if (!out.has(f.tag)) out.set(f.tag, f);
  return [...out.values()];
}

function modelFromRepo(repoRoot: string, target: Target, added: readonly Adjustment[]): DictionaryModel {
  const repo = readRepo(repoRoot, target.repoVersion);
  const fields = new Map<number, FieldModel>();
  for (const f of repoFields(repoRoot, target.repoVersion, repo)) {
    fields.set(f.tag, { tag: f.tag, name: f.name, type: quickfixType(f.type), values: new Map() });
  }
  // Fields the overlay adds get their enumerations from the repository like the others.
  for (const a of added) {
    if (a.op !== 'addField') continue;
    if (fields.has(a.tag)) throw new Error(`${target.file}: overlay adds field ${a.tag}, which exists`);
    fields.set(a.tag, { tag: a.tag, name: a.name, type: a.type, values: new Map() });
  }
  for (const e of repo.enums) {
    const f = fields.get(e.tag);
    if (!f || f.values.has(e.value)) continue;
    f.values.set(e.value, enumDescription(e));
  }

  const componentsByName = new Map<string, Member[]>();
  for (const c of repo.components) {
    componentsByName.set(c.name, buildMembers(repo.contents.get(c.id) ?? [], `${target.repoVersion} component ${c.name}`));
  }
  const header = inlineComponents(componentsByName.get('StandardHeader') ?? [], componentsByName);
  const trailer = inlineComponents(componentsByName.get('StandardTrailer') ?? [], componentsByName);

  const messages: MessageModel[] = [];
  for (const m of repo.messages) {
    const members = buildMembers(repo.contents.get(m.id) ?? [], `${target.repoVersion} message ${m.msgType}`).filter(
      (x) => !(x.kind === 'component' && (x.name === 'StandardHeader' || x.name === 'StandardTrailer')),
    );
    messages.push({ msgType: m.msgType, name: m.name, category: m.category === 'Session' ? 'admin' : 'app', members });
  }

  return {
    file: target.file,
    type: target.type,
    major: target.major,
    minor: target.minor,
    servicePack: target.servicePack,
    repoVersion: target.repoVersion,
    fields,
    header,
    trailer,
    messages,
    components: componentsByName,
  };
}

/** Replaces component references by their members (header and trailer are written flat). */
function inlineComponents(members: readonly Member[], components: ReadonlyMap<string, Member[]>): Member[] {
  const out: Member[] = [];
  for (const m of members) {
    if (m.kind === 'component') {
      const body = components.get(m.name);
      if (!body) throw new Error(`unknown component ${m.name}`);
      out.push(...inlineComponents(body, components).map((x) => (m.required ? x : { ...x, required: false })));
    } else if (m.kind === 'group') {
      out.push({ ...m, members: inlineComponents(m.members, components) });
    } else {
      out.push(m);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Overlay: deliberate adjustments to what the repository says
// ---------------------------------------------------------------------------------------------

/** Where a member lives: 'header', 'trailer', a MsgType ('msg:D') or a component ('comp:Parties'). */
type Scope = string;

export type Adjustment =
  | { op: 'fieldName'; tag: number; name: string }
  | { op: 'fieldType'; tag: number; type: string }
  | { op: 'addField'; tag: number; name: string; type: string }
  | { op: 'enumAdd'; tag: number; values: Array<[string, string]> }
  | { op: 'enumRemove'; tag: number; values: string[] }
  | { op: 'enumClear'; tag: number }
  | { op: 'removeFields'; tags: number[] }
  | { op: 'messageName'; msgType: string; name: string }
  /** Rule: char fields with multi-character enumerated values become STRING. */
  | { op: 'multiCharAsString' }
  /** Sets the required flag of a field, group or component reference (path: enclosing group count tags). */
  | { op: 'required'; scope: Scope; path?: number[]; member: number | string; required: boolean }
  /** Adds a field (or an empty-bodied reference to a component) to a member list, after `after` or at the end. */
  | { op: 'addMember'; scope: Scope; path?: number[]; member: Member; after?: number | string; first?: boolean }
  | { op: 'removeMember'; scope: Scope; path?: number[]; member: number | string }
  /** Adds a whole message. */
  | { op: 'addMessage'; message: MessageModel; after?: string };

export interface OverlayEntry {
  /** Shipped dictionary files the adjustment applies to. */
  files: string[];
  adjust: Adjustment;
  /** What the repository has, in words, for the documentation table. */
  repo: string;
  /** Our value, in words, for the documentation table. */
  ours: string;
  why: string;
}

const FIX4 = ['FIX40.xml', 'FIX41.xml', 'FIX42.xml', 'FIX43.xml', 'FIX44.xml'];

const ALL = TARGETS.map((t) => t.file);
const ONLY43 = ['FIX43.xml'];
const SP2 = ['FIX50SP2.xml'];

/** A field renamed for one or more dictionaries. */
function rename(files: string[], tag: number, name: string, repoName: string, why: string): OverlayEntry {
  return { files, adjust: { op: 'fieldName', tag, name }, ours: name, repo: repoName, why };
}

/** An SP2 change that QuickFIX's SP2 dictionary (built from a later Extension Pack release) carries. */
const EP_WHY =
  'changed by a FIX 5.0 SP2 Extension Pack after the base release the repository describes; QuickFIX\'s SP2 dictionary (and so its acceptance suite) follows the Extension Pack';

export const OVERLAY: OverlayEntry[] = [
  {
    files: ALL,
    adjust: { op: 'multiCharAsString' },
    ours: 'STRING',
    repo: 'char',
    why: 'rule: a field the repository types char but whose enumerated values include multi-character codes (e.g. SecurityType 167 "FUT" in FIX 4.1, MiscFeeType 139 "10" in FIX 4.4) is written as STRING; as CHAR every such value would be refused as an incorrect data format',
  },
  // FIX 4.0-4.2: message names of later versions.
  ...(['FIX40.xml', 'FIX41.xml', 'FIX42.xml'] as const).flatMap((file): OverlayEntry[] => [
    {
      files: [file],
      adjust: { op: 'messageName', msgType: 'D', name: 'NewOrderSingle' },
      ours: 'NewOrderSingle',
      repo: 'OrderSingle',
      why: 'the name FIX 4.3+ and QuickFIX use for MsgType D; applications look messages up by one name in every version',
    },
    {
      files: [file],
      adjust: { op: 'messageName', msgType: 'E', name: 'NewOrderList' },
      ours: 'NewOrderList',
      repo: 'OrderList',
      why: 'the name FIX 4.3+ and QuickFIX use for MsgType E',
    },
  ]),
  rename(['FIX42.xml'], 297, 'QuoteStatus', 'QuoteAckStatus', 'the name FIX 4.3+ and QuickFIX use for tag 297 (same tag, type and values)'),
  rename(
    ['FIX42.xml', 'FIX43.xml', 'FIX44.xml', 'FIX50.xml', 'FIX50SP1.xml'],
    327,
    'HaltReasonChar',
    'HaltReason',
    'the char-typed 327 is HaltReasonChar in the FIX 4.x/5.0 specifications and QuickFIX, distinct from the int-typed field of SP2',
  ),
  rename(SP2, 327, 'HaltReasonInt', 'HaltReason', 'QuickFIX\'s name for the int-typed 327 of SP2, kept for applications written against it'),
  // FIX 4.3: the repository copy we read has no FIX 4.3 Fields.xml (it repeats FIX 4.2's), so the field
  // list is rebuilt from FIX 4.4's; these are the FIX 4.3 names of fields that 4.4 renamed.
  ...([
    [23, 'IOIid', 'IOIID'],
    [33, 'LinesOfText', 'NoLinesOfText'],
    [63, 'SettlmntTyp', 'SettlType'],
    [64, 'FutSettDate', 'SettlDate'],
    [74, 'AvgPrxPrecision', 'AvgPxPrecision'],
    [193, 'FutSettDate2', 'SettlDate2'],
    [211, 'PegDifference', 'PegOffsetValue'],
    [286, 'OpenCloseSettleFlag', 'OpenCloseSettlFlag'],
    [304, 'TotQuoteEntries', 'TotNoQuoteEntries'],
    [389, 'DiscretionOffset', 'DiscretionOffsetValue'],
    [393, 'TotalNumSecurities', 'TotNoRelatedSym'],
    [418, 'TradeType', 'BidTradeType'],
    [491, 'CardIssNo', 'CardIssNum'],
    [509, 'RegistDetls', 'RegistDtls'],
    [557, 'TotalNumSecurityTypes', 'TotNoSecurityTypes'],
    [587, 'LegSettlmntTyp', 'LegSettlType'],
    [588, 'LegFutSettDate', 'LegSettlDate'],
  ] as const).map(([tag, name, name44]) =>
    rename(ONLY43, tag, name, `${name44} (FIX 4.4's name; no FIX 4.3 list in our copy)`, 'the FIX 4.3 name of the field, renamed in FIX 4.4'),
  ),
  // FIX 4.3 fields that FIX 4.4 dropped and FIX 4.2 did not have yet (see repoFields).
  ...([
    [449, 'TotalVolumeTradedDate', 'UTCDATE'],
    [450, 'TotalVolumeTradedTime', 'UTCTIMEONLY'],
    [465, 'QuantityType', 'INT'],
  ] as const).map(([tag, name, type]): OverlayEntry => ({
    files: ONLY43,
    adjust: { op: 'addField', tag, name, type },
    ours: `${name} (${type})`,
    repo: 'absent from our copy (its FIX 4.3 Fields.xml is FIX 4.2\'s; FIX 4.4 no longer lists the field)',
    why: 'a FIX 4.3 field that FIX 4.3 messages use',
  })),
  {
    files: ONLY43,
    adjust: { op: 'removeFields', tags: [20, 24, 46, 51, 76, 85, 86, 92, 105, 109, 125, 166, 201, 204, 205, 314, 318, 319, 439, 440, 502] },
    ours: 'not defined',
    repo: 'defined (FIX 4.4\'s list, which keeps retired fields, or FIX 4.2\'s)',
    why: 'fields FIX 4.3 no longer uses (ExecTransType, ExecBroker, ClientID, PutOrCall, ...): no FIX 4.3 message has them and FIX 4.3\'s field list (as QuickFIX\'s) leaves them out, so such a tag is an invalid tag number (SessionRejectReason 0) as for any unknown tag',
  },
  // FIXT 1.1.
  {
    files: ['FIXT11.xml'],
    adjust: { op: 'enumClear', tag: 35 },
    ours: 'no enumeration',
    repo: 'every MsgType of FIX 5.0 SP2',
    why: 'the transport carries messages of any application version: which MsgTypes exist is the application dictionary\'s business, checked as an unsupported/invalid MsgType (SessionRejectReason 11 / BusinessRejectReason 3), not as a value out of range of the header field (as in QuickFIX\'s FIXT11)',
  },
  // FIX 5.0 SP2: changes of later Extension Packs that QuickFIX's SP2 carries.
  ...([
    [213, 'XMLDATA', 'data'],
    [1283, 'XMLDATA', 'data'],
    [674, 'INT', 'String'],
    [877, 'INT', 'String'],
    [1009, 'QTY', 'int'],
    [1294, 'CHAR', 'String'],
    [1299, 'INT', 'char'],
    [1308, 'MULTIPLECHARVALUE', 'char'],
    [1492, 'UTCDATEONLY', 'UTCTimestamp'],
    [1493, 'UTCDATEONLY', 'UTCTimestamp'],
    [587, 'STRING', 'char'],
    [1193, 'STRING', 'char'],
    [1317, 'STRING', 'char'],
  ] as const).map(([tag, type, repoType]): OverlayEntry => ({
    files: SP2,
    adjust: { op: 'fieldType', tag, type },
    ours: type,
    repo: repoType,
    why: EP_WHY,
  })),
  rename(SP2, 1008, 'SideTrdSubType', 'SideTrdSubTyp', EP_WHY),
  {
    files: SP2,
    adjust: {
      op: 'enumAdd',
      tag: 380,
      values: [
        ['8', 'THROTTLE_LIMIT_EXCEEDED'],
        ['9', 'THROTTLE_LIMIT_EXCEEDED_SESSION_DISCONNECTED'],
        ['10', 'THROTTLED_MESSAGES_REJECTED_ON_REQUEST'],
      ],
    },
    ours: 'values 0-7, 18 plus 8, 9, 10',
    repo: 'values 0-7, 18',
    why: `BusinessRejectReason is used by the session layer; the throttle codes were added by an Extension Pack. ${EP_WHY}`,
  },
  {
    files: SP2,
    adjust: { op: 'addField', tag: 1824, name: 'AffectedOrigClOrdID', type: 'STRING' },
    ours: 'AffectedOrigClOrdID (STRING)',
    repo: 'absent',
    why: `the first field of AffectedOrdGrp since an Extension Pack (see below). ${EP_WHY}`,
  },
  {
    files: SP2,
    adjust: { op: 'removeMember', scope: 'comp:AffectedOrdGrp', path: [534], member: 41 },
    ours: 'no OrigClOrdID (41) in the group',
    repo: 'OrigClOrdID (41) starts each entry',
    why: `AffectedOrigClOrdID (1824) replaced OrigClOrdID in the NoAffectedOrders group, so 1824 delimits entries. ${EP_WHY}`,
  },
  {
    files: SP2,
    adjust: {
      op: 'addMember',
      scope: 'comp:AffectedOrdGrp',
      path: [534],
      member: { kind: 'field', tag: 1824, required: false },
      first: true,
    },
    ours: 'AffectedOrigClOrdID (1824) starts each entry',
    repo: 'absent',
    why: EP_WHY,
  },
  {
    files: SP2,
    adjust: { op: 'messageName', msgType: 'b', name: 'MassQuoteAck' },
    ours: 'MassQuoteAck',
    repo: 'MassQuoteAcknowledgement',
    why: EP_WHY,
  },
  {
    files: SP2,
    adjust: { op: 'messageName', msgType: 'BN', name: 'ExecutionAck' },
    ours: 'ExecutionAck',
    repo: 'ExecutionAcknowledgement',
    why: EP_WHY,
  },
  ...([1035, 1395] as const).map((tag): OverlayEntry => ({
    files: SP2,
    adjust: { op: 'enumClear', tag },
    ours: 'no enumeration',
    repo: 'enumerated values',
    why: `${EP_WHY} (values moved to an external code list)`,
  })),
  ...([
    ['comp:LinesOfTextGrp', [], 33],
    ['comp:ListOrdGrp', [], 73],
    ['comp:OrdListStatGrp', [], 73],
    ['comp:QuotReqGrp', [], 146],
    ['comp:InstrmtMDReqGrp', [], 146],
    ['comp:MDReqGrp', [], 267],
    ['comp:MDFullGrp', [], 268],
    ['comp:MDIncGrp', [], 268],
    ['comp:QuotSetGrp', [], 296],
    ['comp:QuotEntryGrp', [], 295],
    ['comp:BidCompRspGrp', [], 420],
    ['comp:InstrmtStrkPxGrp', [], 428],
    ['comp:SideCrossOrdModGrp', [], 552],
    ['comp:SideCrossOrdCxlGrp', [], 552],
    ['comp:TrdCapRptSideGrp', [], 552],
    ['comp:QuotReqRjctGrp', [], 146],
    ['comp:RFQReqGrp', [], 146],
    ['comp:CpctyConfGrp', [], 862],
    ['comp:CpctyConfGrp', [862], 863],
    ['comp:CompIDStatGrp', [], 936],
    ['comp:TrdSessLstGrp', [], 386],
    ['msg:AE', [], 31],
    ['msg:AE', [], 32],
    ['msg:AM', [], 722],
    ['msg:BM', [], 53],
  ] as const).map(([scope, path, member]): OverlayEntry => ({
    files: SP2,
    adjust: { op: 'required', scope, path: [...path], member, required: false },
    ours: 'required N',
    repo: 'required Y',
    why: EP_WHY,
  })),
];

function memberKey(m: Member): number | string {
  return m.kind === 'component' ? m.name : m.tag;
}

function scopeMembers(model: DictionaryModel, scope: Scope, path: readonly number[] = []): Member[] {
  let found: Member[] | undefined;
  if (scope === 'header') found = model.header;
  else if (scope === 'trailer') found = model.trailer;
  else if (scope.startsWith('msg:')) found = model.messages.find((m) => m.msgType === scope.slice(4))?.members;
  else if (scope.startsWith('comp:')) found = model.components.get(scope.slice(5));
  if (!found) throw new Error(`${model.file}: overlay scope ${scope} not found`);
  let list: Member[] = found;
  for (const tag of path) {
    const g: Member | undefined = list.find((m) => m.kind === 'group' && m.tag === tag);
    if (!g || g.kind !== 'group') throw new Error(`${model.file}: overlay path ${scope}/${path.join('/')} not found`);
    list = g.members;
  }
  return list;
}

function applyAdjustment(model: DictionaryModel, a: Adjustment): void {
  const field = (tag: number): FieldModel => {
    const f = model.fields.get(tag);
    if (!f) throw new Error(`${model.file}: overlay names unknown field ${tag}`);
    return f;
  };
  switch (a.op) {
    case 'fieldName':
      field(a.tag).name = a.name;
      return;
    case 'fieldType':
      field(a.tag).type = a.type;
      return;
    case 'addField':
      return; // done while reading the repository, before enumerations are attached
    case 'enumAdd':
      for (const [v, d] of a.values) field(a.tag).values.set(v, d);
      return;
    case 'enumRemove':
      for (const v of a.values) {
        if (!field(a.tag).values.delete(v)) throw new Error(`${model.file}: overlay removes missing value ${a.tag}=${v}`);
      }
      return;
    case 'enumClear':
      field(a.tag).values.clear();
      return;
    case 'removeFields':
      for (const tag of a.tags) {
        field(tag);
        model.fields.delete(tag);
      }
      return;
    case 'messageName': {
      const m = model.messages.find((x) => x.msgType === a.msgType);
      if (!m) throw new Error(`${model.file}: overlay renames unknown message ${a.msgType}`);
      m.name = a.name;
      return;
    }
    case 'multiCharAsString':
      for (const f of model.fields.values()) {
        if (f.type === 'CHAR' && [...f.values.keys()].some((v) => v.length > 1)) f.type = 'STRING';
      }
      return;
    case 'required': {
      const m = scopeMembers(model, a.scope, a.path).find((x) => memberKey(x) === a.member);
      if (!m) throw new Error(`${model.file}: overlay: ${String(a.member)} not in ${a.scope}`);
      m.required = a.required;
      return;
    }
    case 'addMember': {
      const list = scopeMembers(model, a.scope, a.path);
      if (list.some((x) => memberKey(x) === memberKey(a.member))) {
        throw new Error(`${model.file}: overlay adds ${String(memberKey(a.member))} to ${a.scope}, where it is`);
      }
      const copy = structuredClone(a.member);
      if (a.first) list.unshift(copy);
      else if (a.after === undefined) list.push(copy);
      else {
        const at = list.findIndex((x) => memberKey(x) === a.after);
        if (at < 0) throw new Error(`${model.file}: overlay: ${String(a.after)} not in ${a.scope}`);
        list.splice(at + 1, 0, copy);
      }
      return;
    }
    case 'removeMember': {
      const list = scopeMembers(model, a.scope, a.path);
      const at = list.findIndex((x) => memberKey(x) === a.member);
      if (at < 0) throw new Error(`${model.file}: overlay removes ${String(a.member)}, not in ${a.scope}`);
      list.splice(at, 1);
      return;
    }
    case 'addMessage': {
      if (model.messages.some((m) => m.msgType === a.message.msgType)) {
        throw new Error(`${model.file}: overlay adds message ${a.message.msgType}, which exists`);
      }
      const copy = structuredClone(a.message);
      const at = a.after === undefined ? -1 : model.messages.findIndex((m) => m.msgType === a.after);
      if (at < 0) model.messages.push(copy);
      else model.messages.splice(at + 1, 0, copy);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Shaping per target: application and transport dictionaries
// ---------------------------------------------------------------------------------------------

function collectUse(
  members: readonly Member[],
  components: ReadonlyMap<string, Member[]>,
  tags: Set<number>,
  used: Set<string>,
): void {
  for (const m of members) {
    if (m.kind === 'field') tags.add(m.tag);
    else if (m.kind === 'group') {
      tags.add(m.tag);
      collectUse(m.members, components, tags, used);
    } else if (!used.has(m.name)) {
      used.add(m.name);
      collectUse(components.get(m.name) ?? [], components, tags, used);
    }
  }
}

/** Keeps what the target ships: messages, the components they use and (for FIXT) their fields. */
function shape(model: DictionaryModel, target: Target): void {
  if (target.kind === 'application') {
    model.header = [];
    model.trailer = [];
    model.messages = model.messages.filter((m) => m.category !== 'admin');
  } else if (target.kind === 'transport') {
    model.messages = model.messages.filter((m) => m.category === 'admin');
  }
  const tags = new Set<number>();
  const used = new Set<string>();
  collectUse(model.header, model.components, tags, used);
  collectUse(model.trailer, model.components, tags, used);
  for (const m of model.messages) collectUse(m.members, model.components, tags, used);
  for (const name of [...model.components.keys()]) if (!used.has(name)) model.components.delete(name);
  if (target.kind === 'transport') {
    for (const tag of [...model.fields.keys()]) if (!tags.has(tag)) model.fields.delete(tag);
  }
  for (const tag of tags) {
    if (!model.fields.has(tag)) throw new Error(`${model.file}: field ${tag} is used but not defined`);
  }
}

// ---------------------------------------------------------------------------------------------
// Writing QuickFIX XML
// ---------------------------------------------------------------------------------------------

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function yn(b: boolean): string {
  return b ? 'Y' : 'N';
}

function writeMembers(out: string[], members: readonly Member[], model: DictionaryModel, depth: number): void {
  const pad = '  '.repeat(depth);
  for (const m of members) {
    if (m.kind === 'component') {
      out.push(`${pad}<component name="${esc(m.name)}" required="${yn(m.required)}"/>`);
      continue;
    }
    const f = model.fields.get(m.tag);
    if (!f) throw new Error(`${model.file}: member field ${m.tag} is not defined`);
    if (m.kind === 'field') {
      out.push(`${pad}<field name="${esc(f.name)}" required="${yn(m.required)}"/>`);
    } else {
      out.push(`${pad}<group name="${esc(f.name)}" required="${yn(m.required)}">`);
      writeMembers(out, m.members, model, depth + 1);
      out.push(`${pad}</group>`);
    }
  }
}

function section(out: string[], name: string, members: readonly Member[], model: DictionaryModel): void {
  if (members.length === 0) {
    out.push(`  <${name}/>`);
    return;
  }
  out.push(`  <${name}>`);
  writeMembers(out, members, model, 2);
  out.push(`  </${name}>`);
}

export function renderDictionary(model: DictionaryModel): string {
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push('<!--');
  out.push(`  ${model.file}: ${model.type} ${model.major}.${model.minor}${model.servicePack ? ` SP${model.servicePack}` : ''} data dictionary (QuickFIX XML format).`);
  out.push(`  Generated by fixover (scripts/gen-dictionaries.ts) from the FIX Repository (FIX Trading`);
  out.push(`  Community), version ${model.repoVersion}, with the adjustments listed in docs/dictionaries.md.`);
  out.push('  Do not edit by hand: change the generator and run `npm run gen:dictionaries`.');
  out.push('-->');
  out.push(`<fix type="${model.type}" major="${model.major}" minor="${model.minor}" servicepack="${model.servicePack}">`);
  section(out, 'header', model.header, model);
  section(out, 'trailer', model.trailer, model);
  if (model.messages.length === 0) out.push('  <messages/>');
  else {
    out.push('  <messages>');
    for (const m of model.messages) {
      const open = `    <message name="${esc(m.name)}" msgtype="${esc(m.msgType)}" msgcat="${m.category}"`;
      if (m.members.length === 0) out.push(`${open}/>`);
      else {
        out.push(`${open}>`);
        writeMembers(out, m.members, model, 3);
        out.push('    </message>');
      }
    }
    out.push('  </messages>');
  }
  const names = [...model.components.keys()].sort();
  if (names.length === 0) out.push('  <components/>');
  else {
    out.push('  <components>');
    for (const name of names) {
      out.push(`    <component name="${esc(name)}">`);
      writeMembers(out, model.components.get(name)!, model, 3);
      out.push('    </component>');
    }
    out.push('  </components>');
  }
  out.push('  <fields>');
  for (const f of [...model.fields.values()].sort((a, b) => a.tag - b.tag)) {
    const open = `    <field number="${f.tag}" name="${esc(f.name)}" type="${esc(f.type)}"`;
    if (f.values.size === 0) out.push(`${open}/>`);
    else {
      out.push(`${open}>`);
      for (const [v, d] of f.values) out.push(`      <value enum="${esc(v)}" description="${esc(d)}"/>`);
      out.push('    </field>');
    }
  }
  out.push('  </fields>');
  out.push('</fix>');
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Documentation table
// ---------------------------------------------------------------------------------------------

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function describeTarget(a: Adjustment): string {
  switch (a.op) {
    case 'fieldName':
    case 'fieldType':
    case 'addField':
    case 'enumAdd':
    case 'enumRemove':
    case 'enumClear':
      return `field ${a.tag}`;
    case 'removeFields':
      return `fields ${a.tags.join(', ')}`;
    case 'messageName':
      return `MsgType ${a.msgType} name`;
    case 'multiCharAsString':
      return 'char fields with multi-character values';
    case 'required':
    case 'addMember':
    case 'removeMember': {
      const key = a.op === 'addMember' ? memberKey(a.member) : a.member;
      const where = a.scope.replace(/^msg:/, 'MsgType ').replace(/^comp:/, 'component ');
      const path = a.path && a.path.length ? ` / group ${a.path.join(' / ')}` : '';
      return `${where}${path}: ${typeof key === 'number' ? `field ${key}` : `component ${key}`}`;
    }
    case 'addMessage':
      return `MsgType ${a.message.msgType} (${a.message.name})`;
  }
}

function shortFiles(files: readonly string[]): string {
  if (files.length === TARGETS.length) return 'all';
  if (files.length === FIX4.length && FIX4.every((f) => files.includes(f))) return 'FIX 4.0–4.4';
  return files.map((f) => f.replace(/\.xml$/, '')).join(', ');
}

export function renderOverlayTable(): string {
  const rows = ['| version | element | our value | the repository\'s value | why |', '|---|---|---|---|---|'];
  for (const e of OVERLAY) {
    rows.push(`| ${shortFiles(e.files)} | ${mdCell(describeTarget(e.adjust))} | ${mdCell(e.ours)} | ${mdCell(e.repo)} | ${mdCell(e.why)} |`);
  }
  return rows.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

export function buildModel(repoRoot: string, target: Target): DictionaryModel {
  const mine = OVERLAY.filter((e) => e.files.includes(target.file)).map((e) => e.adjust);
  const model = modelFromRepo(repoRoot, target, mine);
  for (const a of mine) applyAdjustment(model, a);
  shape(model, target);
  return model;
}

function main(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const repoRoot = join(root, 'node_modules', 'jspurefix', 'data', 'fix_repo');
  if (!existsSync(repoRoot)) throw new Error(`FIX Repository not found at ${repoRoot} (npm install first)`);
  const outDir = join(root, 'dict');
  mkdirSync(outDir, { recursive: true });
  for (const target of TARGETS) {
    const model = buildModel(repoRoot, target);
    writeFileSync(join(outDir, target.file), renderDictionary(model));
    console.log(`${target.file}: ${model.fields.size} fields, ${model.messages.length} messages, ${model.components.size} components`);
  }
  const docs = join(root, 'docs', 'dictionaries.md');
  if (existsSync(docs)) {
    const md = readFileSync(docs, 'utf8');
    const begin = '<!-- overlay:begin -->';
    const end = '<!-- overlay:end -->';
    const a = md.indexOf(begin);
    const b = md.indexOf(end);
    if (a >= 0 && b > a) {
      writeFileSync(docs, `${md.slice(0, a + begin.length)}\n${renderOverlayTable()}\n${md.slice(b)}`);
      console.log('docs/dictionaries.md: overlay table updated');
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
