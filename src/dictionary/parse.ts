/**
 * `parseDictionary`: QuickFIX dictionary XML to a `DataDictionary`. The root `<fix type= major=
 * minor= servicepack=>` holds `<header>`, `<trailer>`, `<messages>`, `<fields>` and optionally
 * `<components>`, in any order. Every problem throws a `DictionaryError` naming the element.
 */
import { below, LoadContext, type Where } from './context.js';
import { DataDictionary } from './dictionary.js';
import { DictionaryError } from './errors.js';
import { readFields } from './fields.js';
import { MemberReader } from './members.js';
import { SESSION_MSG_TYPES, type ComponentDef, type MessageDef } from './model.js';
import { readXml } from './xml.js';

/** The sections of `<fix>`; all but `components` must be present. */
const SECTIONS = ['header', 'trailer', 'messages', 'components', 'fields'] as const;
type SectionName = (typeof SECTIONS)[number];

interface Version {
  readonly type: 'FIX' | 'FIXT';
  readonly major: number;
  readonly minor: number;
  readonly servicePack: number;
}

function integerAttr(ctx: LoadContext, root: Where, attr: string, fallback?: number): number {
  const raw = root.el.attrs[attr]?.trim();
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback;
    ctx.fail(root, `<fix> has no ${attr} attribute`);
  }
  if (!/^\d+$/.test(raw)) ctx.fail(root, `${attr}='${raw}' is not a non-negative integer`);
  return Number(raw);
}

/** The root's `type`, `major`, `minor` and `servicepack`; without `type` it is FIX, as QuickFIX/J reads its own dictionaries. */
function readVersion(ctx: LoadContext, root: Where): Version {
  const type = root.el.attrs.type === undefined ? 'FIX' : root.el.attrs.type.trim().toUpperCase();
  if (type !== 'FIX' && type !== 'FIXT') ctx.fail(root, `type='${root.el.attrs.type ?? ''}' must be FIX or FIXT`);
  return {
    type,
    major: integerAttr(ctx, root, 'major'),
    minor: integerAttr(ctx, root, 'minor'),
    servicePack: integerAttr(ctx, root, 'servicepack', 0),
  };
}

function readSections(ctx: LoadContext, root: Where): Map<SectionName, Where> {
  const found = new Map<SectionName, Where>();
  for (const el of root.el.children) {
    const where = below(root, el);
    const name = SECTIONS.find((s) => s === el.name);
    if (name === undefined) ctx.warn(where, `unexpected <${el.name}> ignored`);
    else if (found.has(name)) ctx.fail(where, `<${name}> appears more than once`);
    else found.set(name, where);
  }
  for (const name of SECTIONS) {
    if (name !== 'components' && !found.has(name)) ctx.fail(root, `<${name}> section not found`);
  }
  return found;
}

/** `<component>` definitions by name. */
function componentDefinitions(ctx: LoadContext, section: Where | undefined): Map<string, Where> {
  const defs = new Map<string, Where>();
  for (const el of section?.el.children ?? []) {
    const where = below(section!, el);
    if (el.name !== 'component') {
      ctx.warn(where, `unexpected <${el.name}> ignored`);
      continue;
    }
    const name = el.attrs.name?.trim();
    if (!name) ctx.fail(where, '<component> has no name attribute');
    if (defs.has(name)) ctx.fail(where, `component '${name}' is defined more than once`);
    defs.set(name, where);
  }
  return defs;
}

function readMessage(ctx: LoadContext, reader: MemberReader, where: Where): MessageDef {
  const msgType = where.el.attrs.msgtype?.trim();
  if (!msgType) ctx.fail(where, '<message> has no msgtype attribute');
  const msgcat = where.el.attrs.msgcat?.trim().toLowerCase();
  if (msgcat !== undefined && msgcat !== 'admin' && msgcat !== 'app') ctx.warn(where, `msgcat='${msgcat}' read as app`);
  const category = msgcat === 'admin' || (msgcat === undefined && SESSION_MSG_TYPES.has(msgType)) ? 'admin' : 'app';
  return { msgType, name: where.el.attrs.name?.trim() ?? '', category, ...reader.read(where) };
}

function readMessages(ctx: LoadContext, reader: MemberReader, section: Where): MessageDef[] {
  const messages = new Map<string, MessageDef>();
  for (const el of section.el.children) {
    const where = below(section, el);
    if (el.name !== 'message') {
      ctx.warn(where, `unexpected <${el.name}> ignored`);
      continue;
    }
    const message = readMessage(ctx, reader, where);
    const other = messages.get(message.msgType);
    if (other) ctx.fail(where, `msgtype '${message.msgType}' is already used by message '${other.name}'`);
    messages.set(message.msgType, message);
  }
  return [...messages.values()];
}

/**
 * Components in definition order. Components no message uses are resolved too; as QuickFIX never
 * reads them, a problem in one is a warning and the component is left out.
 */
function allComponents(ctx: LoadContext, reader: MemberReader, defs: ReadonlyMap<string, Where>): ComponentDef[] {
  const out: ComponentDef[] = [];
  for (const [name, where] of defs) {
    try {
      out.push(reader.component(name, where));
    } catch (e) {
      if (!(e instanceof DictionaryError)) throw e;
      ctx.warn(where, `unused component left out: ${e.element}${e.line === undefined ? '' : ` (line ${e.line})`}: ${e.problem}`);
    }
  }
  return out;
}

function rootElement(doc: ReturnType<typeof readXml>, source: string): Where {
  const [root, extra] = doc.elements;
  if (!root) throw new DictionaryError(source, '(document)', 'no root element');
  if (extra) throw new DictionaryError(source, extra.name, 'more than one root element', doc.lineOf(extra));
  if (root.name !== 'fix') throw new DictionaryError(source, root.name, `root element is <${root.name}>, expected <fix>`, doc.lineOf(root));
  return { up: undefined, el: root };
}

/**
 * Parses a QuickFIX data dictionary.
 * @param xml the dictionary XML
 * @param source file name used in errors and as `DataDictionary.source`
 * @throws DictionaryError when the XML is malformed or the dictionary inconsistent
 */
export function parseDictionary(xml: string, source = '<string>'): DataDictionary {
  const doc = readXml(xml, source);
  const root = rootElement(doc, source);
  const ctx = new LoadContext(source, doc);
  const version = readVersion(ctx, root);
  const sections = readSections(ctx, root);
  const fields = readFields(ctx, sections.get('fields')!);
  const defs = componentDefinitions(ctx, sections.get('components'));
  const reader = new MemberReader(ctx, fields, defs);
  const header = reader.read(sections.get('header')!);
  const trailer = reader.read(sections.get('trailer')!);
  const messages = readMessages(ctx, reader, sections.get('messages')!);
  const components = allComponents(ctx, reader, defs);
  return new DataDictionary({
    source,
    ...version,
    fields: fields.list,
    header,
    trailer,
    messages,
    components,
    unknownTypes: fields.unknownTypes,
    warnings: ctx.warnings,
  });
}
