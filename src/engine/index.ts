/** Acceptors, initiators and the running session that binds a core to sockets and a store. */
export { Session, SessionOwnedElsewhereError, LogonTimeoutError, SessionClosedError, type SendResult, type ApplicationRejectEvent, type SessionHandleEvents, type SessionStatus, type SessionHandleOptions, type OwnershipEvent, type StoreFaultEvent, type SessionFaultEvent, type FaultSite } from './session.js';
export { Acceptor, keyOf, type AcceptorOptions, type ListenAddress, type SessionKey, type ShedEvent, type AcceptorFaultEvent } from './acceptor.js';
export { DEFAULT_PENDING_LOGON_LIMITS, type PendingLogonLimits } from './pending-logons.js';
export { Initiator, failoverConfigOf, describeFailoverEvent, type Endpoint, type InitiatorSession, type InitiatorEvent, type InitiatorEvents } from './initiator.js';
export { FailoverDriver, readUriList, type FailoverDriverOptions, type DriverSocketDefaults } from './failover-driver.js';
export { endpointSocketOptions, ENDPOINT_OPTION_NAMES, type EndpointSocketOptions } from './endpoint-options.js';
export { Engine, settingsBaseDir, ownershipFor, nodeNameFrom, type EnginePhase, type EngineEvents, type NodeStatus, type EngineOptions, type SettingsEngineOptions, type ApplicationFactory, type EngineSender, type SessionOwnerInfo } from './engine.js';
export { sessionOptionsFrom, sessionIdFrom, validatorFrom, scheduleFrom, reconnectDelays, endpointsFrom, refreshOnLogon, initiatorSessionFrom, socketOptionsFrom, acceptorLimitsFrom, tlsFrom, tlsSettingsKey, SettingsApplyError, type SessionSettingsRecord } from './from-settings.js';
export { LatencyHistogram, FLUSH_BUCKETS_MS } from './latency-histogram.js';
