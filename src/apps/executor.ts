/**
 * The order executor (QuickFIX's example executor role): every NewOrderSingle is filled in full
 * at its limit price (0 for orders without a price) with one ExecutionReport. Each session's
 * report is one Message refilled for every order (a session keeps no reference to a message once
 * `send` returns), so filling an order allocates only the field values.
 */
import { Message } from '../codec/message.js';
import type { MessageView } from '../codec/message-view.js';
import type { Application } from '../session/actions.js';
import { UnsupportedMessageType } from '../session/errors.js';
import type { SessionID } from '../session/session-id.js';
import type { Sender } from './acceptance.js';

/** The built-in order executor: fills every NewOrderSingle in full at its price with one ExecutionReport (what `fixover executor` runs). */
export function executorApplication(sender: Sender): Application<SessionID> {
  let orderId = 0;
  let execId = 0;
  const reports = new WeakMap<SessionID, Message>();
  return {
    fromApp(message: MessageView, sessionId: SessionID): void {
      if (message.msgType !== 'D') throw new UnsupportedMessageType();
      const begin = sessionId.beginString;
      const qty = message.getDecimal(38);
      const price = message.has(44) ? message.getDecimal(44) : '0';
      let er = reports.get(sessionId);
      if (!er) {
        er = new Message('8');
        reports.set(sessionId, er);
      }
      er.set(37, ++orderId).set(17, ++execId);
      er.set(11, message.getString(11)).set(55, message.getString(55)).set(54, message.getString(54));
      er.set(38, qty).set(39, '2').set(31, price).set(32, qty).set(14, qty).set(6, price).set(151, 0);
      if (begin === 'FIX.4.0' || begin === 'FIX.4.1' || begin === 'FIX.4.2') {
        er.set(20, '0');
        if (begin !== 'FIX.4.0') er.set(150, '2');
      } else {
        er.set(150, 'F');
      }
      if (message.has(1)) er.set(1, message.getString(1));
      else er.body.remove(1);
      sender.send(er, sessionId);
    },
  };
}
