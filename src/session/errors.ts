/**
 * Exceptions an application throws from its callbacks to steer the engine, as in QuickFIX:
 * refuse a Logon, veto an outgoing message, or make the engine reject an incoming one.
 */
import { FixoverError } from '../codec/errors.js';

/** Thrown from `fromAdmin` on a Logon: the engine answers with a Logout carrying the text and disconnects. */
export class RejectLogon extends FixoverError {}

/** Thrown from `toApp`: the message is not sent (its sequence number is not used). */
export class DoNotSend extends FixoverError {}

/** Thrown from `fromApp`/`fromAdmin`: the engine sends a Reject with IncorrectTagValue for the tag. */
export class IncorrectTagValue extends FixoverError {
  constructor(readonly tag: number) {
    super(`Incorrect tag value: ${tag}`);
  }
}

/** Thrown from `fromApp`/`fromAdmin`: the engine sends a Reject with IncorrectDataFormat for the tag. */
export class IncorrectDataFormat extends FixoverError {
  constructor(readonly tag: number) {
    super(`Incorrect data format: ${tag}`);
  }
}

/** Thrown from `fromApp`: BusinessMessageReject (FIX 4.2+) or Reject for an unsupported message type. */
export class UnsupportedMessageType extends FixoverError {
  constructor() {
    super('Unsupported Message Type');
  }
}

/** No session of that ID (e.g. `Engine.session`, `Engine.send`). */
export class SessionNotFound extends FixoverError {}
