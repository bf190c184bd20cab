/**
 * The FIX session layer: a sans-I/O state machine shared by acceptors and initiators. The state
 * machine itself (`core.ts`), its store actions and the rate limiter are internal.
 */
export { SessionID, type SessionIdFields } from './session-id.js';
export type { SessionAction, SessionEvent, Persist, Application, InboundRateAction, SendRefusal } from './actions.js';
export { RejectLogon, DoNotSend, IncorrectTagValue, IncorrectDataFormat, UnsupportedMessageType, SessionNotFound } from './errors.js';
export { type SessionOptions, APPL_VER_IDS, applVerIdValue } from './options.js';
export { Schedule, parseDay, parseTimeOfDay, type ScheduleSpec, type TimeOfDay } from './schedule.js';
export { SessionStats, MsgTypeCounts, MAX_COUNTED_MSG_TYPES, OTHER_MSG_TYPE } from './session-stats.js';
export { QUICKFIX_BEHAVIOUR, QUICKFIXJ_BEHAVIOUR, SESSION_BEHAVIOURS, sessionBehaviour, type SessionBehaviour, type SessionBehaviourName } from './behaviour.js';
