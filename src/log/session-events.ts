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

/** Something that emits session events, like the engine's `Session`. */
export interface SessionEventSource {
  on(name: 'event', listener: (event: SessionEvent) => void): unknown;
}

/** Logs every event `source` emits from now on. */
export function attachLog(source: SessionEventSource, log: Log): void {
  source.on('event', (event) => logSessionEvent(log, event));
}
