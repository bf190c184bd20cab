/**
 * The dictionaries of one session. FIX 4.x uses one dictionary for everything. FIXT 1.1 splits
 * them: the transport dictionary (FIXT11.xml) holds the header, trailer and admin messages, the
 * application dictionary (e.g. FIX50SP2.xml, whose header and trailer are empty) the rest.
 */
import type { MessageSchema } from '../codec/schema.js';
import type { DataDictionary } from './dictionary.js';
import { DictionaryError } from './errors.js';
import type { FieldDef, GroupDef, MemberSet, MessageDef } from './model.js';

/** A transport and an application dictionary answering together. */
export class SessionDictionaries implements MessageSchema {
  /**
   * @param transport the session layer: the FIX 4.x dictionary itself, or FIXT 1.1
   * @param app the application messages (the transport dictionary itself for FIX 4.x)
   * @throws DictionaryError when the pair cannot work together
   */
  constructor(
    readonly transport: DataDictionary,
    readonly app: DataDictionary = transport,
  ) {
    checkPair(transport, app);
  }

  get header(): MemberSet {
    return this.transport.header;
  }

  get trailer(): MemberSet {
    return this.transport.trailer;
  }

  /** Header membership, from the transport dictionary. */
  isHeaderField(tag: number): boolean {
    return this.transport.isHeaderField(tag);
  }

  /** Trailer membership, from the transport dictionary. */
  isTrailerField(tag: number): boolean {
    return this.transport.isTrailerField(tag);
  }

  /** The dictionary that defines a message type: transport for admin messages, else app. */
  dictionaryFor(msgType: string): DataDictionary {
    return this.transport.isAdminMessage(msgType) && this.transport.message(msgType) ? this.transport : this.app;
  }

  message(msgType: string): MessageDef | undefined {
    return this.dictionaryFor(msgType).message(msgType);
  }

  /** A field of the application dictionary, else of the transport dictionary. */
  field(tag: number): FieldDef | undefined {
    return this.app.field(tag) ?? this.transport.field(tag);
  }

  fieldByName(name: string): FieldDef | undefined {
    return this.app.fieldByName(name) ?? this.transport.fieldByName(name);
  }

  /** A group of the transport header/trailer, else of the message in its dictionary. */
  group(msgType: string, countTag: number): GroupDef | undefined {
    return (
      this.transport.header.groups.get(countTag) ??
      this.transport.trailer.groups.get(countTag) ??
      this.message(msgType)?.groups.get(countTag)
    );
  }
}

function checkPair(transport: DataDictionary, app: DataDictionary): void {
  const fail = (d: DataDictionary, problem: string): never => {
    throw new DictionaryError(d.source, 'fix', problem);
  };
  if (transport.type === 'FIX' && transport.major >= 5) {
    fail(transport, `${transport.beginString} has no session layer: use a FIXT 1.1 dictionary as the transport dictionary`);
  }
  if (app.type !== 'FIX') fail(app, `${app.beginString} cannot be an application dictionary`);
  if (transport.type === 'FIX' && app.beginString !== transport.beginString) {
    fail(app, `application dictionary ${app.beginString} does not match the ${transport.beginString} session`);
  }
}

/**
 * Pairs a transport and an application dictionary for a session.
 * @throws DictionaryError when the pair cannot work together (e.g. FIX 5.0 as transport)
 */
export function combineDictionaries(transport: DataDictionary, app: DataDictionary = transport): SessionDictionaries {
  return new SessionDictionaries(transport, app);
}
