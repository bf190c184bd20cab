/** An application that only reports what arrives (for monitoring and tests). */
import type { MessageView } from '../codec/message-view.js';
import type { Application } from '../session/actions.js';
import type { SessionID } from '../session/session-id.js';

/** An application that prints every message it receives and answers nothing. */
export function logApplication(write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Application<SessionID> {
  return {
    onLogon: (id) => write(`logon ${id.toString()}`),
    onLogout: (id) => write(`logout ${id.toString()}`),
    fromApp: (m: MessageView, id) => write(`${id.toString()} ${m.toString()}`),
  };
}
