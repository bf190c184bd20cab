/** Acceptors, initiators and the running session that binds a core to sockets and a store. */
export { Session, type SessionHandleOptions } from './session.js';
export { Acceptor, keyOf, type AcceptorOptions, type ListenAddress, type SessionKey } from './acceptor.js';
export { Initiator, type Endpoint, type InitiatorSession } from './initiator.js';
export { Engine, settingsBaseDir, type EngineOptions, type EngineSender } from './engine.js';
export { sessionOptionsFrom, sessionIdFrom, validatorFrom, scheduleFrom, reconnectDelays, endpointsFrom, refreshOnLogon, socketOptionsFrom, SettingsApplyError, type SessionSettings as SessionSettingsRecord } from './from-settings.js';
