/**
 * The `<fields>` section: `<field number= name= type=>` with optional `<value enum= description=>`
 * children. Tags and names must be unique; types are upper-cased, and types QuickFIX does not know
 * are kept and reported.
 */
import { below, type LoadContext, type Where } from './context.js';
import type { FieldDef } from './model.js';

/** The field types QuickFIX knows. Others are accepted and treated as text. */
export const KNOWN_FIELD_TYPES: ReadonlySet<string> = new Set([
  'STRING', 'CHAR', 'PRICE', 'INT', 'AMT', 'QTY', 'CURRENCY', 'MULTIPLEVALUESTRING', 'MULTIPLESTRINGVALUE',
  'MULTIPLECHARVALUE', 'EXCHANGE', 'UTCTIMESTAMP', 'BOOLEAN', 'LOCALMKTDATE', 'DATA', 'FLOAT', 'PRICEOFFSET',
  'MONTHYEAR', 'DAYOFMONTH', 'UTCDATE', 'UTCDATEONLY', 'UTCTIMEONLY', 'NUMINGROUP', 'PERCENTAGE', 'SEQNUM',
  'LENGTH', 'COUNTRY', 'TZTIMEONLY', 'TZTIMESTAMP', 'XMLDATA', 'LANGUAGE', 'TIME', 'DATE', 'LOCALMKTTIME',
  'TAGNUM', 'XID', 'XIDREF', 'RESERVED100PLUS', 'RESERVED1000PLUS', 'RESERVED4000PLUS',
]);

/** The fields of a dictionary, indexed by tag and by name. */
export interface FieldTable {
  /** In definition order. */
  readonly list: readonly FieldDef[];
  readonly byTag: ReadonlyMap<number, FieldDef>;
  readonly byName: ReadonlyMap<string, FieldDef>;
  /** Upper-cased types outside `KNOWN_FIELD_TYPES`. */
  readonly unknownTypes: ReadonlySet<string>;
}

function required(ctx: LoadContext, where: Where, attr: string): string {
  const v = where.el.attrs[attr]?.trim();
  if (!v) ctx.fail(where, `<${where.el.name}> has no ${attr} attribute`);
  return v;
}

function tagNumber(ctx: LoadContext, where: Where): number {
  const text = required(ctx, where, 'number');
  const tag = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(tag) || tag <= 0) ctx.fail(where, `field number '${text}' is not a positive integer`);
  return tag;
}

function readValues(ctx: LoadContext, where: Where): Map<string, string> | null {
  let values: Map<string, string> | null = null;
  for (const el of where.el.children) {
    const at = below(where, el);
    if (el.name !== 'value') {
      ctx.warn(at, `unexpected <${el.name}> ignored`);
      continue;
    }
    const value = el.attrs.enum;
    if (value === undefined || value === '') ctx.fail(at, '<value> has no enum attribute');
    values ??= new Map();
    if (values.has(value)) ctx.warn(at, `enum value '${value}' repeated; the first description is kept`);
    else values.set(value, el.attrs.description ?? '');
  }
  return values;
}

function readField(ctx: LoadContext, where: Where, unknownTypes: Set<string>): FieldDef {
  const tag = tagNumber(ctx, where);
  const name = required(ctx, where, 'name');
  const type = required(ctx, where, 'type').toUpperCase();
  if (!KNOWN_FIELD_TYPES.has(type)) {
    unknownTypes.add(type);
    ctx.warn(where, `unknown field type '${type}' treated as STRING`);
  }
  return { tag, name, type, values: readValues(ctx, where) };
}

/** Reads the `<fields>` section. */
export function readFields(ctx: LoadContext, section: Where): FieldTable {
  const list: FieldDef[] = [];
  const byTag = new Map<number, FieldDef>();
  const byName = new Map<string, FieldDef>();
  const unknownTypes = new Set<string>();
  for (const el of section.el.children) {
    const where = below(section, el);
    if (el.name !== 'field') {
      ctx.warn(where, `unexpected <${el.name}> ignored`);
      continue;
    }
    const def = readField(ctx, where, unknownTypes);
    const sameTag = byTag.get(def.tag);
    if (sameTag) ctx.fail(where, `duplicate field number ${def.tag} (already defined as '${sameTag.name}')`);
    const sameName = byName.get(def.name);
    if (sameName) ctx.fail(where, `duplicate field name '${def.name}' (already defined with number ${sameName.tag})`);
    list.push(def);
    byTag.set(def.tag, def);
    byName.set(def.name, def);
  }
  return { list, byTag, byName, unknownTypes };
}
