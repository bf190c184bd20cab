/**
 * Value-format checks by QuickFIX type name, as QuickFIX's converters apply them: numbers, single
 * characters, booleans and UTC dates/times are checked; text-like types are not.
 */
import { isDecimalBytes, parseDate, parseIntBytes, parseUtcTimeOnly, parseUtcTimestamp } from '../codec/values.js';

type Check = (buf: Buffer, s: number, e: number) => boolean;

const isInt: Check = (b, s, e) => !Number.isNaN(parseIntBytes(b, s, e));
const isDecimal: Check = isDecimalBytes;
const isChar: Check = (_b, s, e) => e - s === 1;
const isBool: Check = (b, s, e) => e - s === 1 && (b[s] === 0x59 || b[s] === 0x4e);
const isTimestamp: Check = (b, s, e) => parseUtcTimestamp(b, s, e) !== null;
const isTimeOnly: Check = (b, s, e) => parseUtcTimeOnly(b, s, e) !== null;
const isDate: Check = (b, s, e) => parseDate(b, s, e) !== null;

const CHECKS: ReadonlyMap<string, Check> = new Map([
  ['INT', isInt],
  ['LENGTH', isInt],
  ['NUMINGROUP', isInt],
  ['SEQNUM', isInt],
  ['DAYOFMONTH', isInt],
  ['TAGNUM', isInt],
  ['PRICE', isDecimal],
  ['AMT', isDecimal],
  ['QTY', isDecimal],
  ['FLOAT', isDecimal],
  ['PRICEOFFSET', isDecimal],
  ['PERCENTAGE', isDecimal],
  ['CHAR', isChar],
  ['BOOLEAN', isBool],
  ['UTCTIMESTAMP', isTimestamp],
  ['TIME', isTimestamp],
  ['UTCTIMEONLY', isTimeOnly],
  ['UTCDATE', isDate],
  ['UTCDATEONLY', isDate],
  ['DATE', isDate],
]);

/** The format check for a type, or undefined when QuickFIX does not check that type. */
export function formatCheck(type: string): Check | undefined {
  return CHECKS.get(type);
}

/** Types whose values are space-separated lists, each checked against the enum. */
export const MULTIPLE_VALUE_TYPES: ReadonlySet<string> = new Set(['MULTIPLEVALUESTRING', 'MULTIPLESTRINGVALUE', 'MULTIPLECHARVALUE']);
