/** Feeds a running session's events to a log. */
import type { SessionEvent } from '../session/actions.js';
import type { Log } from './log.js';

/** Logs one session event: messages to the messages log, the rest as event lines. */
export function logSessionEvent(log: Log, event: SessionEvent): void {
  switch (event.kind) {
    case 'incoming':
      log.onIncoming(event.bytes);
      break;
    case 'outgoing':
      log.onOutgoing(event.bytes);
      break;
    case 'logon':
      log.onEvent('Logon');
      break;
    case 'logout':
      log.onEvent(event.reason ? `Logout: ${event.reason}` : 'Logout');
      break;
    case 'note':
      log.onEvent(event.text);
      break;
    case 'error':
      log.onEvent(`Error: ${event.text}`);
      break;
  }
}

/**
 * A listener of session events. `wantsIncoming: false` says it ignores `incoming` events, so the
 * session need not copy every received message for it.
 */
export type SessionEventListener = ((event: SessionEvent) => void) & { wantsIncoming?: boolean };

/** Something that emits session events, like the engine's `Session`. */
export interface SessionEventSource {
  on(name: 'event', listener: SessionEventListener): unknown;
}

/** Logs every event `source` emits from now on. */
export function attachLog(source: SessionEventSource, log: Log): void {
  const listener: SessionEventListener = (event) => logSessionEvent(log, event);
  if (log.logsIncoming === false) listener.wantsIncoming = false;
  source.on('event', listener);
}
