/**
 * Typed codec errors. Every framing or envelope failure carries a machine-readable reason that the
 * session layer maps to the right action (silent drop, reject, logout).
 */

/** Why a frame or message was refused by the codec. */
export type CodecErrorReason =
  /** Bytes that do not start a FIX message were skipped. */
  | 'garbage'
  /** A frame grew past the configured maximum message size and was dropped. */
  | 'oversized'
  /** The first field is not BeginString(8). */
  | 'begin-string-missing'
  /** The second field is not BodyLength(9), or its value is not a non-negative integer. */
  | 'body-length-missing'
  /** The declared BodyLength does not match the bytes between BodyLength and CheckSum. */
  | 'body-length-mismatch'
  /** The third field is not MsgType(35), or it is empty. */
  | 'msg-type-missing'
  /** The message does not end with a well formed CheckSum(10) field. */
  | 'checksum-missing'
  /** The CheckSum value does not match the bytes of the message. */
  | 'checksum-mismatch'
  /** A field is not of the form `tag=value<SOH>` with a positive integer tag. */
  | 'malformed-field'
  /** A raw data field is shorter than its declared length. */
  | 'data-length-mismatch';

/**
 * Base class of every error fixover throws. `code` is stable and machine-readable: by default the
 * class name in upper snake case (`SettingsError` → `SETTINGS_ERROR`); `name` is the class name.
 * Catch `FixoverError` for everything fixover raises, or a subclass for one kind of failure.
 */
export class FixoverError extends Error {
  /** A stable, machine-readable code for this kind of error (e.g. `SESSION_NOT_FOUND`). */
  readonly code: string;
  constructor(message: string, options?: { readonly code?: string; readonly cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options?.code ?? errorCodeOf(new.target.name);
  }
}

/** `SettingsError` → `SETTINGS_ERROR`, `DoNotSend` → `DO_NOT_SEND`. */
function errorCodeOf(className: string): string {
  return className.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toUpperCase();
}

/** A framing or envelope failure. `offset` is relative to the start of the frame when known. */
export class CodecError extends FixoverError {
  constructor(
    readonly reason: CodecErrorReason,
    message: string,
    /** Tag involved, when the failure concerns one field. */
    readonly tag?: number,
    /** Number of bytes discarded because of this error, when bytes were dropped. */
    readonly discarded?: number,
  ) {
    super(message);
  }
}

/** Why a repeating group could not be structured. */
export type GroupErrorReason =
  /** The NumInGroup value does not match the number of entries found. */
  | 'count-mismatch'
  /** An entry does not start with the group's delimiter field. */
  | 'missing-delimiter'
  /** Members of an entry are not in the order the dictionary defines. */
  | 'out-of-order'
  /** The NumInGroup value is not a non-negative integer. */
  | 'bad-count';

/** A repeating-group structure error, naming the group's count tag and the field involved. */
export class GroupError extends FixoverError {
  constructor(
    readonly reason: GroupErrorReason,
    readonly countTag: number,
    readonly tag: number,
    message: string,
  ) {
    super(message);
  }
}

/** A value could not be decoded as the requested type. */
export class FieldFormatError extends FixoverError {
  constructor(
    readonly tag: number,
    readonly expected: string,
    message: string,
  ) {
    super(message);
  }
}

/** A required field is not in the message. */
export class FieldNotFoundError extends FixoverError {
  constructor(readonly tag: number) {
    super(`Field not found: ${tag}`);
  }
}

/**
 * A message or field could not be built as asked: an unknown field name, a value of the wrong
 * form for its field (`setDecimal('1e5')`), a group the dictionary does not define, or a message
 * encoded without BeginString or MsgType. The message is left as it was before the call.
 */
export class MessageBuildError extends FixoverError {}

/** An option of a fixover object is outside what it accepts (a size, a rate, a limit). */
export class InvalidOptionError extends FixoverError {}

/** Something fixover relies on did not hold: a bug, reported rather than worked around. */
export class InternalError extends FixoverError {}
