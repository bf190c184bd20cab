/** The FIX codec: framing, zero-copy parsing, lazy typed values, repeating groups and encoding. */
export * from './errors.js';
export { SOH, checksum, printable, fromPrintable } from './bytes.js';
export { Framer, DEFAULT_MAX_MESSAGE_SIZE, type FrameHandler, type FramerOptions } from './framer.js';
export { Parser, FieldTable, parseMessage, type ParserOptions } from './parser.js';
export { DataFieldMap, STANDARD_DATA_FIELDS, STANDARD_DATA_PAIRS } from './data-fields.js';
export { FieldReader } from './field-reader.js';
export { MessageView, GroupView, type Section } from './message-view.js';
export { scanGroup, type EntryRange, type GroupScan } from './groups.js';
export { FieldMap, Group, toFieldText, dateText, type FieldInput, type FieldKey, type FieldNames } from './field-map.js';
export { Message } from './message.js';
export { Encoder, ByteBuffer, type EncodeOptions } from './encoder.js';
export { STANDARD_HEADER_TAGS, STANDARD_TRAILER_TAGS, type GroupSchema, type MessageSchema } from './schema.js';
export { PRECISION_BY_NAME, formatUtcTimestamp, formatTimeOfDay, formatDate, formatDecimal, isDecimalText, type TimestampPrecision, type FixTime, type ParsedPrecision, type FixDate, type FixMonthYear } from './values.js';
