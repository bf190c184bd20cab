/**
 * The typed-message generator: from a QuickFIX data dictionary, TypeScript source for
 *  - `fields.ts`: the tag of every field (`Tags.Side === 54`) and the values of every enumerated
 *    field (`Side.Buy === '1'`, with a type of the same name);
 *  - `messages.ts`: a reader interface per message, component and group entry (getters over the
 *    parsed view), a builder input type for each, `read`, `build`, the `Handlers` table and `crack`;
 *  - `index.ts`: both.
 * Components stay components (interfaces the messages extend), so a large dictionary such as
 * FIX 5.0 SP2 gives source of a reasonable size; the runtime flattens them as the loader does.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDictionary } from '../dictionary/parse.js';
import type { DataDictionary } from '../dictionary/dictionary.js';
import type { FieldDef } from '../dictionary/model.js';
import { readXml, type XmlElement } from '../dictionary/xml.js';
import { resolveDictionaryPath } from '../dictionary/load.js';
import { InternalError } from '../codec/errors.js';
import type { FieldKind, MemberSpec } from './runtime.js';

/** Options of {@link generateMessages}. */
export interface GenerateOptions {
  /**
   * Module the generated code imports its runtime from: `fixover/messages/runtime` (default) for
   * code outside the package; the shipped versions use a relative path.
   */
  runtimeModule?: string;
  /**
   * Dictionary whose `<header>` the readers and builders get when the dictionary's own is empty,
   * as in FIX 5.0 application dictionaries (default: the shipped FIXT11.xml). Header fields the
   * dictionary does not define are left out.
   */
  transportDictionary?: string;
}

const KIND_BY_TYPE: Readonly<Record<string, FieldKind>> = {
  INT: 'i', LENGTH: 'i', NUMINGROUP: 'i', SEQNUM: 'i', TAGNUM: 'i', DAYOFMONTH: 'i',
  PRICE: 'n', QTY: 'n', AMT: 'n', FLOAT: 'n', PRICEOFFSET: 'n', PERCENTAGE: 'n',
  BOOLEAN: 'b', CHAR: 'c',
  UTCTIMESTAMP: 't', TIME: 't', UTCTIMEONLY: 'o',
  UTCDATEONLY: 'd', UTCDATE: 'd', LOCALMKTDATE: 'd', DATE: 'd',
  MONTHYEAR: 'm', DATA: 'x', XMLDATA: 'x',
};

const MULTI = new Set(['MULTIPLEVALUESTRING', 'MULTIPLECHARVALUE', 'MULTIPLESTRINGVALUE']);

const READ_TYPE: Readonly<Record<FieldKind, string>> = {
  s: 'string', c: 'string', i: 'number', n: 'number', b: 'boolean', t: 'Date', o: 'FixTime', d: 'FixDate', m: 'FixMonthYear', x: 'Buffer',
};
const WRITE_TYPE: Readonly<Record<FieldKind, string>> = {
  s: 'string', c: 'string', i: 'number', n: 'number | string', b: 'boolean', t: 'Date | FixTime | string', o: 'Date | FixTime | string',
  d: 'Date | FixDate | string', m: 'Date | FixDate | string', x: 'Uint8Array | string',
};

function kindOf(f: FieldDef): FieldKind {
  return KIND_BY_TYPE[f.type] ?? 's';
}

/** PascalCase identifier from an enum description such as SELL_SHORT_EXEMPT. */
function enumName(description: string, value: string): string {
  const words = description.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  let name = words.map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase()).join('');
  if (name === '') name = `Value${value.replace(/[^A-Za-z0-9]/g, '_')}`;
  if (/^[0-9]/.test(name)) name = `V${name}`;
  return name;
}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** A property of a reader/builder interface. */
interface Prop {
  readonly name: string;
  /** Reader type without `undefined`. */
  readonly read: string;
  /** Builder input type. */
  readonly write: string;
  readonly required: boolean;
  readonly group: boolean;
  readonly doc: string;
}

interface Base {
  readonly iface: string;
  readonly optional: boolean;
}

/** An interface to emit: a header, component, message or group entry. */
interface Owner {
  readonly iface: string;
  readonly doc: string;
  readonly own: Prop[];
  readonly bases: Base[];
  /** Readers of messages and group entries are `TypedReader`s; components are mixed into them. */
  readonly reader: boolean;
  readonly msgType?: string;
}

class Generator {
  readonly owners: Owner[] = [];
  private readonly byIface = new Map<string, Owner>();
  private readonly effective = new Map<string, Map<string, Prop>>();
  readonly componentIface = new Map<string, string>();
  readonly componentSpecs = new Map<string, MemberSpec[]>();
  readonly messageSpecs: Array<{ name: string; iface: string; msgType: string; members: MemberSpec[] }> = [];
  headerSpec: MemberSpec[] = [];
  private readonly taken: Set<string>;

  constructor(
    readonly dict: DataDictionary,
    private readonly components: ReadonlyMap<string, XmlElement>,
    enumNames: ReadonlySet<string>,
  ) {
    this.taken = new Set([...enumNames, 'Tags', 'Kinds', 'read', 'build', 'crack', 'Handlers', 'StandardHeader', 'StandardHeaderFields']);
  }

  private fieldProp(name: string, required: boolean): Prop {
    const f = this.dict.fieldByName(name)!;
    const kind = kindOf(f);
    const narrowed = f.values !== null && f.values.size > 0 && !MULTI.has(f.type) && (kind === 's' || kind === 'c' || (kind === 'i' && numericEnum(f)));
    const t = narrowed ? `F.${name}` : READ_TYPE[kind];
    const w = narrowed ? `F.${name}` : WRITE_TYPE[kind];
    return { name, read: t, write: w, required, group: false, doc: `${name}(${f.tag}), ${f.type}${required ? ', required' : ''}` };
  }

  private unique(name: string, suffix: string): string {
    let n = name;
    if (this.taken.has(n)) n = `${name}${suffix}`;
    while (this.taken.has(n)) n = `${n}_`;
    this.taken.add(n);
    return n;
  }

  /** Reads the members of an element into an owner; returns their runtime spec. */
  private members(el: XmlElement, owner: Owner, prefix: string): MemberSpec[] {
    const spec: MemberSpec[] = [];
    for (const child of el.children) {
      const name = child.attrs.name?.trim() ?? '';
      const required = (child.attrs.required ?? 'N').trim().toUpperCase() === 'Y';
      if (child.name === 'field') {
        if (!this.dict.fieldByName(name)) continue;
        spec.push(required ? `+${name}` : name);
        owner.own.push(this.fieldProp(name, required));
      } else if (child.name === 'component') {
        const iface = this.component(name);
        spec.push(['c', name, required ? 1 : 0]);
        owner.bases.push({ iface, optional: !required });
      } else if (child.name === 'group') {
        if (!this.dict.fieldByName(name)) continue;
        const entry = this.unique(`${prefix}${name}Entry`, '_');
        const f = this.dict.fieldByName(name)!;
        const entryOwner: Owner = { iface: entry, doc: `An entry of the ${name}(${f.tag}) repeating group${prefix ? ` of ${prefix}` : ''}.`, own: [], bases: [], reader: true };
        const inner = this.members(child, entryOwner, `${prefix}${name}`);
        this.add(entryOwner);
        spec.push(['g', name, required ? 1 : 0, inner]);
        owner.own.push({ name, read: `readonly ${entry}[]`, write: `readonly ${entry}Fields[]`, required, group: true, doc: `${name}(${f.tag}) repeating group${required ? ', required' : ''}: its entries, read when asked for` });
      }
    }
    return spec;
  }

  private add(owner: Owner): void {
    this.owners.push(owner);
    this.byIface.set(owner.iface, owner);
  }

  /** The interface of a component, generated on first use. */
  component(name: string): string {
    const known = this.componentIface.get(name);
    if (known) return known;
    const el = this.components.get(name);
    if (!el) throw new InternalError(`component ${name} is not defined (the dictionary was checked when it was read)`);
    const iface = this.unique(name, 'Component');
    this.componentIface.set(name, iface);
    const owner: Owner = { iface, doc: `The ${name} component.`, own: [], bases: [], reader: false };
    this.componentSpecs.set(name, this.members(el, owner, name));
    this.add(owner);
    return iface;
  }

  header(el: XmlElement): void {
    const owner: Owner = { iface: 'StandardHeader', doc: 'The standard header fields every message reader has.', own: [], bases: [], reader: false };
    this.headerSpec = this.members(el, owner, 'StandardHeader');
    this.add(owner);
  }

  message(el: XmlElement): void {
    const name = el.attrs.name?.trim() ?? '';
    const msgType = el.attrs.msgtype?.trim() ?? '';
    const iface = this.unique(name, 'Message');
    const owner: Owner = { iface, doc: `${name} (MsgType ${msgType}).`, own: [], bases: [{ iface: 'StandardHeader', optional: false }], reader: true, msgType };
    const members = this.members(el, owner, name);
    this.add(owner);
    this.messageSpecs.push({ name, iface, msgType, members });
  }

  /** Every property an interface ends up with (its own and inherited), merged as the loader flattens. */
  props(iface: string): Map<string, Prop> {
    const done = this.effective.get(iface);
    if (done) return done;
    const owner = this.byIface.get(iface)!;
    const out = new Map<string, Prop>();
    const merge = (p: Prop): void => {
      const seen = out.get(p.name);
      if (!seen) out.set(p.name, p);
      else if (p.required && !seen.required) out.set(p.name, { ...seen, required: true });
    };
    for (const b of owner.bases) {
      for (const p of this.props(b.iface).values()) merge(b.optional ? { ...p, required: false } : p);
    }
    for (const p of owner.own) merge(p);
    this.effective.set(iface, out);
    return out;
  }

  /** Properties an interface must declare: its own, and inherited ones its bases disagree on. */
  declared(owner: Owner): Prop[] {
    const merged = this.props(owner.iface);
    const names = new Set(owner.own.map((p) => p.name));
    const seen = new Map<string, string>();
    for (const b of owner.bases) {
      for (const p of this.props(b.iface).values()) {
        const sig = `${p.read}|${b.optional && !p.group ? false : p.required}`;
        const prev = seen.get(p.name);
        if (prev !== undefined && prev !== sig) names.add(p.name);
        seen.set(p.name, sig);
        const m = merged.get(p.name)!;
        if (m.required && !(p.required && !b.optional) && !p.group) names.add(p.name);
      }
    }
    return [...names].map((n) => merged.get(n)!);
  }
}

function numericEnum(f: FieldDef): boolean {
  return [...(f.values?.keys() ?? [])].every((v) => /^-?\d+$/.test(v));
}

function fieldsModule(dict: DataDictionary, enumNames: Set<string>): string {
  const out: string[] = [];
  out.push(`/**\n * Field tags and enumerated values of ${dict.beginString}, generated by \`fixover generate\` from ${sourceName(dict)}. Do not edit.\n */\n`);
  const fields = [...dict.fields()];
  out.push(`/** Tag number by field name (${dict.beginString}). */`);
  out.push('export const Tags = {');
  for (const f of fields) out.push(`  ${f.name}: ${f.tag},`);
  out.push('} as const;\n');
  out.push('/** @internal how each field of `Tags` is read and written, one letter per field in the same order (see `FieldKind`). */');
  out.push(`export const Kinds = ${quote(fields.map(kindOf).join(''))};\n`);
  for (const f of fields) {
    if (!f.values || f.values.size === 0) continue;
    const numeric = kindOf(f) === 'i' && numericEnum(f);
    const used = new Set<string>();
    out.push(`/** Values of ${f.name}(${f.tag}). */`);
    out.push(`export const ${f.name} = {`);
    for (const [value, description] of f.values) {
      let n = enumName(description, value);
      if (used.has(n)) n = `${n}_${value.replace(/[^A-Za-z0-9]/g, '_')}`;
      while (used.has(n)) n = `${n}_`;
      used.add(n);
      out.push(`  ${n}: ${numeric ? value.replace(/^(-?)0+(?=\d)/, '$1') : quote(value)},`);
    }
    out.push('} as const;');
    out.push(`/** A value of ${f.name}(${f.tag}). */`);
    out.push(`export type ${f.name} = (typeof ${f.name})[keyof typeof ${f.name}];\n`);
    enumNames.add(f.name);
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function sourceName(dict: DataDictionary): string {
  return dict.source.replace(/^.*[\\/]/, '');
}

function specText(spec: readonly MemberSpec[]): string {
  return JSON.stringify(spec);
}

function messagesModule(dict: DataDictionary, g: Generator, runtime: string): string {
  const o: string[] = [];
  o.push(`/**\n * Typed messages of ${dict.beginString}, generated by \`fixover generate\` from ${sourceName(dict)}. Do not edit.\n *`);
  o.push(' * Readers are views over a parsed message: each getter reads its tag when called (required');
  o.push(' * fields throw FieldNotFoundError when absent, optional ones give undefined) and repeating groups');
  o.push(' * are scanned when read. Builders take plain objects. `crack` calls a handler per message type.\n */');
  const runtimeImports = 'RUNTIME_IMPORTS';
  o.push(runtimeImports);
  const valueTypes = 'VALUE_TYPES';
  o.push(valueTypes);
  o.push(`import { Kinds, Tags } from './fields.js';`);
  o.push(`import type * as F from './fields.js';\n`);
  o.push('const spec: VersionSpec = {');
  o.push(`  beginString: ${quote(dict.type === 'FIX' && dict.major >= 5 ? 'FIXT.1.1' : dict.beginString)},`);
  o.push('  tags: Tags,');
  o.push('  kinds: Kinds,');
  o.push(`  header: ${specText(g.headerSpec)},`);
  o.push('  components: {');
  for (const [name, s] of g.componentSpecs) o.push(`    ${name}: ${specText(s)},`);
  o.push('  },');
  o.push('  messages: {');
  for (const m of g.messageSpecs) o.push(`    ${m.name}: [${quote(m.msgType)}, ${specText(m.members)}],`);
  o.push('  },');
  o.push('};');
  o.push('const V = defineVersion(spec);\n');
  const emit = (doc: string, name: string, bases: string[], lines: string[]): void => {
    o.push(`/** ${doc} */`);
    if (lines.length > 0) o.push(`export interface ${name}${bases.length ? ` extends ${bases.join(', ')}` : ''} {`, ...lines, '}');
    else o.push(`export type ${name} = ${bases.length ? bases.join(' & ') : 'Record<never, never>'};`);
  };
  for (const owner of g.owners) {
    const bases = owner.bases.map((b) => (b.optional ? `Loose<${b.iface}>` : b.iface));
    if (owner.reader) bases.unshift('TypedReader');
    const props = g.declared(owner);
    const lines: string[] = [];
    if (owner.msgType !== undefined) lines.push(`  /** MsgType(35). */\n  readonly msgType: ${quote(owner.msgType)};`);
    for (const p of props) lines.push(`  /** ${p.doc} */ readonly ${p.name}: ${p.read}${p.required || p.group ? '' : ' | undefined'};`);
    emit(owner.doc, owner.iface, bases, lines);
    if (owner.iface === 'StandardHeader') {
      // Builders set the header fields they are given; the session fills in the rest when sending.
      o.push('/** Header fields a builder may set (the session fills in the others when it sends). */');
      if (props.length === 0) o.push('export type StandardHeaderFields = Record<never, never>;\n');
      else o.push('export type StandardHeaderFields = Partial<{', ...props.map((p) => `  ${p.name}: ${p.write};`), '}>;\n');
      continue;
    }
    const wbases = owner.bases.map((b) => (b.optional ? `Partial<${b.iface}Fields>` : `${b.iface}Fields`));
    if (owner.msgType !== undefined) wbases.unshift('StandardHeaderFields');
    const doc = `Values to build ${owner.msgType !== undefined ? `a ${owner.iface}` : `the fields of ${owner.doc.replace(/^(An|The) /, '').replace(/\.$/, '')}`} from.`;
    emit(doc, `${owner.iface}Fields`, wbases, props.map((p) => `  ${p.name}${p.required ? '' : '?'}: ${p.write};`));
    o.push('');
  }
  o.push('/** Readers by message name: a new reader over a parsed message of that type (throws for another type). */');
  o.push('export const read = {');
  for (const m of g.messageSpecs) o.push(`  ${m.name}: (view: MessageView): ${m.iface} => V.read(${quote(m.name)}, view) as unknown as ${m.iface},`);
  o.push('};\n');
  o.push('/**\n * Builders by message name: a message of that type with the given fields and group entries. Pass');
  o.push(' * a session (anything with `newMessage`) to build it with the session\'s dictionary and header.\n */');
  o.push('export const build = {');
  for (const m of g.messageSpecs) o.push(`  ${m.name}: (fields: ${m.iface}Fields, session?: MessageFactory): Message => V.build(${quote(m.name)}, fields, session),`);
  o.push('};\n');
  o.push('/**\n * A handler per message type for {@link crack}, checked by the compiler: the keys are message names,');
  o.push(' * each handler gets the typed reader (valid during the call, like the view) and the context.\n */');
  o.push('export interface Handlers<C = void, R = void> {');
  for (const m of g.messageSpecs) o.push(`  /** ${m.name} (MsgType ${m.msgType}). */ ${m.name}?(message: ${m.iface}, context: C): R;`);
  o.push('  /** Any message type without a handler of its own (without it such a message throws UnsupportedMessageType). */');
  o.push('  default?(message: MessageView, context: C): R;');
  o.push('}\n');
  o.push('/**\n * Calls the handler of the view\'s message type with a typed reader (reused from call to call: no');
  o.push(' * allocation per message), else `handlers.default`; without either, throws UnsupportedMessageType,');
  o.push(' * which a session answers with a reject. Returns what the handler returns (a promise from `fromApp` is awaited).\n */');
  o.push('export function crack<R = void>(view: MessageView, handlers: Handlers<void, R>): R;');
  o.push('/** The same, with a context handed to the handler (e.g. the session ID). */');
  o.push('export function crack<C, R = void>(view: MessageView, handlers: Handlers<C, R>, context: C): R;');
  o.push('export function crack<C, R>(view: MessageView, handlers: Handlers<C, R>, context?: C): R {');
  o.push('  return V.crack(view, handlers, context) as R;');
  o.push('}');
  const body = o.join('\n');
  const used = ['FixDate', 'FixMonthYear', 'FixTime'].filter((t) => new RegExp(`\\b${t}\\b`).test(body));
  const loose = /\bLoose</.test(body) ? 'type Loose, ' : '';
  return `${body.replace(runtimeImports, `import { defineVersion, ${loose}type MessageFactory, type TypedReader, type VersionSpec } from ${quote(runtime)};`).replace(valueTypes, `import type { ${[...used, 'Message', 'MessageView'].join(', ')} } from ${quote(runtime)};`)}\n`;
}

/**
 * Generates the typed messages of a dictionary: file name -> TypeScript source (`fields.ts`,
 * `messages.ts`, `index.ts`).
 * @param dictionaryPath a dictionary file, or the name of a shipped one (FIX44.xml, …)
 * @throws DictionaryError / DictionaryNotFoundError when the dictionary cannot be loaded
 */
export function generateMessages(dictionaryPath: string, options: GenerateOptions = {}): Map<string, string> {
  const file = resolveDictionaryPath(dictionaryPath);
  const xml = readFileSync(file, 'utf8');
  const dict = parseDictionary(xml, file);
  const root = readXml(xml, file).elements[0];
  const section = (name: string): XmlElement | undefined => root.children.find((c) => c.name === name);
  const components = new Map<string, XmlElement>();
  for (const c of section('components')?.children ?? []) if (c.name === 'component' && c.attrs.name) components.set(c.attrs.name.trim(), c);
  const enumNames = new Set<string>();
  const fields = fieldsModule(dict, enumNames);
  const g = new Generator(dict, components, enumNames);
  const header = section('header')!;
  if (header.children.length > 0 || dict.type !== 'FIX' || dict.major < 5) g.header(header);
  else g.header(readXml(readFileSync(resolveDictionaryPath(options.transportDictionary ?? 'FIXT11.xml'), 'utf8'), 'transport').elements[0].children.find((c) => c.name === 'header') ?? header);
  for (const m of section('messages')!.children) if (m.name === 'message') g.message(m);
  const runtime = options.runtimeModule ?? 'fixover/messages/runtime';
  const index = [
    `/**\n * Typed messages of ${dict.beginString}, generated by \`fixover generate\` from ${sourceName(dict)}. Do not edit.\n */`,
    "export * from './fields.js';",
    "export * from './messages.js';",
    '',
  ].join('\n');
  return new Map([
    ['fields.ts', fields],
    ['messages.ts', messagesModule(dict, g, runtime)],
    ['index.ts', index],
  ]);
}

/**
 * Generates the typed messages of a dictionary into `outDir` (created when missing); returns the
 * paths written.
 */
export function writeMessages(dictionaryPath: string, outDir: string, options: GenerateOptions = {}): string[] {
  const files = generateMessages(dictionaryPath, options);
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of files) {
    const path = join(outDir, name);
    writeFileSync(path, text);
    written.push(path);
  }
  return written;
}

/** The shipped dictionaries and the folder under src/messages their typed messages live in. */
export const SHIPPED_MESSAGE_VERSIONS: ReadonlyArray<readonly [dictionary: string, folder: string]> = [
  ['FIX40.xml', 'fix40'],
  ['FIX41.xml', 'fix41'],
  ['FIX42.xml', 'fix42'],
  ['FIX43.xml', 'fix43'],
  ['FIX44.xml', 'fix44'],
  ['FIX50.xml', 'fix50'],
  ['FIX50SP1.xml', 'fix50sp1'],
  ['FIX50SP2.xml', 'fix50sp2'],
  ['FIXT11.xml', 'fixt11'],
];

/** Runtime module of the shipped versions (relative to their folders). */
export const SHIPPED_RUNTIME_MODULE = '../runtime.js';
