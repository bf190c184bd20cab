/**
 * Reads dictionary XML into a small element tree (names, attributes, child elements, source
 * offsets), with fast-xml-parser. Comments, CDATA, text and processing instructions are dropped:
 * a QuickFIX dictionary carries everything in elements and attributes.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DictionaryError } from './errors.js';

/** An element of the dictionary document. */
export interface XmlElement {
  readonly name: string;
  /** Attributes as written (names case-sensitive, values with entities decoded). */
  readonly attrs: Readonly<Record<string, string>>;
  /** Child elements in document order. */
  readonly children: readonly XmlElement[];
  /** Character offset of the element's start tag in the source, when known. */
  readonly offset: number | undefined;
}

/** A parsed document: its top-level elements and a way back from offsets to line numbers. */
export interface XmlDocument {
  readonly elements: readonly XmlElement[];
  /** 1-based line of an element, when its offset is known. */
  lineOf(element: XmlElement): number | undefined;
}

const ATTRS = ':@';
const META: symbol = XMLParser.getMetaDataSymbol() as symbol;

/** One node of fast-xml-parser's ordered output: `{ [tagName]: children, ':@'?: attributes }`. */
type OrderedNode = Record<string, unknown> & { [ATTRS]?: Record<string, unknown> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  allowBooleanAttributes: false,
  captureMetaData: true,
  // Decodes character references (&#65; &#x41;) as well as the five XML entities.
  htmlEntities: true,
});

/** The tag name of an ordered node, or undefined for text, comments and processing instructions. */
function tagOf(node: OrderedNode): string | undefined {
  for (const key of Object.keys(node)) {
    if (key !== ATTRS && !key.startsWith('#') && !key.startsWith('?') && !key.startsWith('!')) return key;
  }
  return undefined;
}

function toAttrs(raw: Record<string, unknown> | undefined): Record<string, string> {
  const attrs: Record<string, string> = {};
  if (raw) for (const [k, v] of Object.entries(raw)) attrs[k] = String(v);
  return attrs;
}

function toElements(nodes: unknown): XmlElement[] {
  if (!Array.isArray(nodes)) return [];
  const out: XmlElement[] = [];
  for (const node of nodes as OrderedNode[]) {
    const name = tagOf(node);
    if (name === undefined) continue;
    const meta = (node as Record<symbol, { startIndex?: number } | undefined>)[META];
    out.push({ name, attrs: toAttrs(node[ATTRS]), children: toElements(node[name]), offset: meta?.startIndex });
  }
  return out;
}

/** Offsets of every line start, for turning element offsets into line numbers. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/**
 * Parses dictionary XML. Malformed XML throws a `DictionaryError` for `file` with the line the
 * XML checker reports.
 */
export function readXml(text: string, file: string): XmlDocument {
  const check = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (check !== true) {
    const { msg, line, col } = check.err;
    throw new DictionaryError(file, '(document)', `malformed XML: ${msg}${col ? ` (column ${col})` : ''}`, line);
  }
  let elements: XmlElement[];
  try {
    elements = toElements(parser.parse(text));
  } catch (e) {
    throw new DictionaryError(file, '(document)', `malformed XML: ${e instanceof Error ? e.message : String(e)}`);
  }
  let starts: number[] | undefined;
  return {
    elements,
    lineOf(element) {
      if (element.offset === undefined) return undefined;
      starts ??= lineStarts(text);
      return lineAt(starts, element.offset);
    },
  };
}
