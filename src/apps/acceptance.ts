/**
 * The application of QuickFIX's acceptance suite: NewOrderSingle and SecurityDefinition are sent
 * straight back; a NewOrderSingle with PossResend=Y whose ClOrdID was already seen is dropped;
 * anything else is an unsupported message type. Seen ClOrdIDs are forgotten when the session is
 * reset (a Logon with sequence number 1). Under a behaviour that does not echo empty repeating
 * groups (QuickFIX/J's), a group whose NumInGroup is 0 is left out of the echo.
 */
import { Message } from '../codec/message.js';
import type { MessageView } from '../codec/message-view.js';
import type { Application } from '../session/actions.js';
import { UnsupportedMessageType } from '../session/errors.js';
import type { SessionID } from '../session/session-id.js';
import type { SessionBehaviour } from '../session/behaviour.js';

/** Something the built-in applications send replies through (the engine). */
export interface Sender {
  send(message: Message, sessionId: SessionID): void;
}

/** Options of the acceptance application. */
export interface AcceptanceOptions {
  /** A session's behaviour profile (`SessionBehaviour`); absent or undefined: QuickFIX C++'s. */
  behaviourOf?: (sessionId: SessionID) => SessionBehaviour | undefined;
}

/** The echo of a received message; without `echoEmptyGroups`, NumInGroup=0 fields (of groups the dictionary knows) are left out. */
function echo(message: MessageView, echoEmptyGroups: boolean): Message {
  const m = Message.fromView(message);
  const schema = message.schema;
  if (echoEmptyGroups || !schema) return m;
  for (let i = 0; i < message.fieldCount; i++) {
    const tag = message.table.tags[i];
    if (schema.group(message.msgType, tag) && m.get(tag) === '0') m.remove(tag);
  }
  return m;
}

/** The application of QuickFIX's acceptance tests: echoes application messages back as those scripts expect. */
export function acceptanceApplication(sender: Sender, options: AcceptanceOptions = {}): Application<SessionID> {
  const echoEmpty = (sessionId: SessionID): boolean => options.behaviourOf?.(sessionId)?.echoEmptyGroups ?? true;
  const seen = new Map<string, Set<string>>();
  const ids = (sessionId: SessionID): Set<string> => {
    const key = sessionId.toString();
    let s = seen.get(key);
    if (!s) seen.set(key, (s = new Set()));
    return s;
  };
  return {
    fromAdmin(message: MessageView, sessionId: SessionID): void {
      if (message.msgType === 'A' && message.get(34) === '1') ids(sessionId).clear();
    },
    fromApp(message: MessageView, sessionId: SessionID): void {
      const type = message.msgType;
      if (type === 'D') {
        const clOrdId = message.get(11) ?? '';
        const set = ids(sessionId);
        if (message.get(97) === 'Y' && set.has(clOrdId)) return;
        set.add(clOrdId);
        sender.send(echo(message, echoEmpty(sessionId)), sessionId);
        return;
      }
      if (type === 'd' && sessionId.beginString !== 'FIX.4.0' && sessionId.beginString !== 'FIX.4.1') {
        sender.send(echo(message, echoEmpty(sessionId)), sessionId);
        return;
      }
      throw new UnsupportedMessageType();
    },
  };
}
