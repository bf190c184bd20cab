/** Logs: QuickFIX-compatible file and screen logs, structured JSON logs through pino, composites. */
export { type Log, type LogFactory, type LogMessage, type LogSessionId, NullLog, isHeartbeat, headerField } from './log.js';
export { FileLog, FileLogFactory, type FileLogOptions } from './file-log.js';
export { ScreenLog, ScreenLogFactory, type ScreenLogOptions, type TextSink } from './screen-log.js';
export { JsonLog, JsonLogFactory, type JsonLogOptions } from './json-log.js';
export { CompositeLog, CompositeLogFactory } from './composite-log.js';
export { logSessionEvent, attachLog, type SessionEventSource } from './session-events.js';
