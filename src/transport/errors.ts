/**
 * Errors of the failover transport's configuration: a failover URI (or the equivalent
 * TypeScript object) and the QuickFIX-style settings that describe the same thing.
 */
import { FixoverError } from '../codec/errors.js';

/**
 * A failover URI or failover configuration is not valid. `option` names the offending option
 * when there is one; `valid` lists what would have been accepted there (option names for an
 * unknown option, values for an enumerated one).
 */
export class FailoverUriError extends FixoverError {
  constructor(
    message: string,
    /** The option at fault (`maxReconnectAttempts`, `nested.connectTimeout`, …), if any. */
    readonly option?: string,
    /** The option names or values that would have been accepted, if the set is finite. */
    readonly valid?: readonly string[],
  ) {
    super(message);
  }
}

/** QuickFIX-style settings (`SocketConnectHost<n>`, `ReconnectInterval`, …) cannot describe a failover configuration. */
export class FailoverSettingsError extends FixoverError {
  constructor(
    /** The setting at fault, e.g. `SocketConnectPort2`. */
    readonly setting: string,
    message: string,
    /** The values that would have been accepted, if the set is finite. */
    readonly valid?: readonly string[],
  ) {
    super(`${setting}: ${message}`);
  }
}
