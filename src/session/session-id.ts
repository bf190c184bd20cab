/** Identity of a FIX session: BeginString, the two CompIDs (with optional sub and location IDs) and a qualifier. */
export interface SessionIdFields {
  beginString: string;
  senderCompID: string;
  targetCompID: string;
  senderSubID?: string;
  senderLocationID?: string;
  targetSubID?: string;
  targetLocationID?: string;
  qualifier?: string;
}

/**
 * The identity of a session: BeginString, SenderCompID and TargetCompID (with optional sub and
 * location IDs and a qualifier). `toString()` gives the `FIX.4.4:SENDER->TARGET` form used by
 * `Engine.session`, logs and the admin API.
 */
export class SessionID implements SessionIdFields {
  readonly beginString: string;
  readonly senderCompID: string;
  readonly targetCompID: string;
  readonly senderSubID?: string;
  readonly senderLocationID?: string;
  readonly targetSubID?: string;
  readonly targetLocationID?: string;
  readonly qualifier?: string;
  /** The text form, made once (the fields never change). */
  #text: string | undefined;

  constructor(fields: SessionIdFields) {
    this.beginString = fields.beginString;
    this.senderCompID = fields.senderCompID;
    this.targetCompID = fields.targetCompID;
    if (fields.senderSubID) this.senderSubID = fields.senderSubID;
    if (fields.senderLocationID) this.senderLocationID = fields.senderLocationID;
    if (fields.targetSubID) this.targetSubID = fields.targetSubID;
    if (fields.targetLocationID) this.targetLocationID = fields.targetLocationID;
    if (fields.qualifier) this.qualifier = fields.qualifier;
  }

  /** True for FIXT.1.1 (FIX 5.0 and later application versions). */
  get isFIXT(): boolean {
    return this.beginString.startsWith('FIXT');
  }

  /** QuickFIX's text form, e.g. `FIX.4.2:EXEC->BANZAI` or `FIX.4.4:A/desk->B:q1`. */
  toString(): string {
    if (this.#text !== undefined) return this.#text;
    const side = (comp: string, sub?: string, loc?: string): string => comp + (sub ? `/${sub}` : '') + (loc ? `/${loc}` : '');
    const q = this.qualifier ? `:${this.qualifier}` : '';
    this.#text = `${this.beginString}:${side(this.senderCompID, this.senderSubID, this.senderLocationID)}->${side(this.targetCompID, this.targetSubID, this.targetLocationID)}${q}`;
    return this.#text;
  }

  /** The file prefix QuickFIX stores and logs use: `BeginString-Sender-Target[-Qualifier]`. */
  get filePrefix(): string {
    const parts = [this.beginString, this.senderCompID, this.targetCompID];
    if (this.qualifier) parts.push(this.qualifier);
    return parts.join('-');
  }

  /** Same session identity. */
  equals(other: SessionIdFields): boolean {
    return this.toString() === new SessionID(other).toString();
  }
}
