/** The FIX session layer: a sans-I/O state machine shared by acceptors and initiators. */
export { SessionCore } from './core.js';
export { SessionID, type SessionIdFields } from './session-id.js';
export type { SessionAction, SessionEvent, Persist, Application, InboundRateAction, SendRefusal } from './actions.js';
export { InboundRate } from './inbound-rate.js';
export { RejectLogon, DoNotSend, IncorrectTagValue, IncorrectDataFormat, UnsupportedMessageType, SessionNotFound } from './errors.js';
export { type SessionOptions, type ResolvedSessionOptions, resolveOptions, APPL_VER_IDS, applVerIdValue } from './options.js';
export { Schedule, parseDay, parseTimeOfDay, type ScheduleSpec, type TimeOfDay } from './schedule.js';
export { applyStoreAction } from './apply.js';
export { SessionStats, MsgTypeCounts, MAX_COUNTED_MSG_TYPES, OTHER_MSG_TYPE } from './session-stats.js';
