/**
 * Pairs every DATA / XMLDATA field with the LENGTH field that announces its size: by name first
 * (`X` with `XLen` or `XLength`, plus the names of the standard that break that pattern), else
 * the LENGTH field whose tag is one below the data tag.
 */
import type { FieldDef } from './model.js';

/** Types whose values are raw bytes read by length. */
export const DATA_TYPES: ReadonlySet<string> = new Set(['DATA', 'XMLDATA']);

/** Data fields of the standard whose length field is not named `<name>Len` or `<name>Length`. */
const LENGTH_NAME_EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  ['EncodedUnderlyingMarketDisruptionFallbackUnderlierSecurityDesc', 'EncodedUnderlyingMarketDisruptionFallbackUnderlierSecDescLen'],
]);

/** Types a length field may have when paired by name (custom dictionaries sometimes use INT). */
const NAMED_LENGTH_TYPES: ReadonlySet<string> = new Set(['LENGTH', 'INT']);

function byName(data: FieldDef, lookup: (name: string) => FieldDef | undefined): FieldDef | undefined {
  const names = [LENGTH_NAME_EXCEPTIONS.get(data.name), `${data.name}Len`, `${data.name}Length`];
  for (const name of names) {
    const def = name === undefined ? undefined : lookup(name);
    if (def && NAMED_LENGTH_TYPES.has(def.type)) return def;
  }
  return undefined;
}

/**
 * Data tag -> length tag for every data field that has a length field.
 * @param fields all fields of the dictionary
 * @param byTag lookup by tag
 * @param byNameLookup lookup by name
 */
export function pairDataFields(
  fields: Iterable<FieldDef>,
  byTag: (tag: number) => FieldDef | undefined,
  byNameLookup: (name: string) => FieldDef | undefined,
): Map<number, number> {
  const pairs = new Map<number, number>();
  for (const data of fields) {
    if (!DATA_TYPES.has(data.type)) continue;
    const previous = byTag(data.tag - 1);
    const length = byName(data, byNameLookup) ?? (previous?.type === 'LENGTH' ? previous : undefined);
    if (length) pairs.set(data.tag, length.tag);
  }
  return pairs;
}
