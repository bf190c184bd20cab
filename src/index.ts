/**
 * fixover — a high-availability FIX engine for Node.js.
 *
 * The package root exports the documented public API only, grouped by module below: what a
 * program using fixover as a library writes, catches or names in its types. Everything else in
 * `src/` is internal (used by the engine itself, the command line, the benchmarks and the tests)
 * and may change without notice. `docs/api-report.txt` lists this surface with its types; the
 * tests compare it, so every change to it shows in review.
 */

/** The package version. */
export const VERSION = '0.1.0';

// Messages: building (`Message`, `Group`), reading (`MessageView`, `GroupView`), timestamps, and
// the error hierarchy's root with the message errors.
export {
  FixoverError,
  CodecError,
  GroupError,
  FieldFormatError,
  FieldNotFoundError,
  MessageBuildError,
  InvalidOptionError,
  InternalError,
  type CodecErrorReason,
  type GroupErrorReason,
  Message,
  FieldMap,
  Group,
  type FieldInput,
  type FieldKey,
  type FieldNames,
  type MessageSchema,
  type Section,
  type EncodeOptions,
  type FixDate,
  type GroupSchema,
  MessageView,
  GroupView,
  formatUtcTimestamp,
  type TimestampPrecision,
} from './codec/index.js';

// Typed messages: the reader base, builder errors and the generator (`fixover generate`); the
// versions themselves are `fixover/messages/fix44`, ….
export { TypedReader, TypedMessageError, type MessageFactory } from './messages/runtime.js';
export { generateMessages, writeMessages, type GenerateOptions } from './messages/generate.js';

// Data dictionaries: loading QuickFIX XML (shipped or your own) and the model it reads into.
export {
  DataDictionary,
  loadDictionary,
  DictionaryError,
  DictionaryNotFoundError,
  type DictionaryParts,
  type ComponentDef,
  type FieldDef,
  type GroupDef,
  type MemberSet,
  type MessageDef,
} from './dictionary/index.js';

// Validation: the switches a session validates with, and the reject reasons it answers with.
export {
  MessageValidator,
  type ValidationOptions,
  type ValidationDictionary,
  type MemberSetLike,
  type Rejection,
  SessionRejectReason,
  type SessionRejectReasonCode,
} from './validation/index.js';

// Sessions: the application callbacks, session identity and options, the exceptions an
// application throws to steer the session, schedules, behaviours and counts.
export {
  SessionID,
  type SessionIdFields,
  type Application,
  type InboundRateAction,
  type SendRefusal,
  type SessionEvent,
  RejectLogon,
  DoNotSend,
  IncorrectTagValue,
  IncorrectDataFormat,
  UnsupportedMessageType,
  SessionNotFound,
  type SessionOptions,
  Schedule,
  type ScheduleSpec,
  type TimeOfDay,
  SessionStats,
  MsgTypeCounts,
  QUICKFIX_BEHAVIOUR,
  QUICKFIXJ_BEHAVIOUR,
  type SessionBehaviour,
  type SessionBehaviourName,
} from './session/index.js';

// Settings: QuickFIX settings files, the same settings from objects, and their problems.
export {
  loadSettings,
  settingsFromObject,
  SessionSettings,
  type Settings,
  type Located,
  SettingsError,
  formatProblem,
  type SettingsProblem,
  type Severity,
} from './config/index.js';

// The engine: every session of a settings file, the running session, acceptors and initiators,
// their options and events, and the errors of the session from code.
export {
  Engine,
  type EngineOptions,
  type SettingsEngineOptions,
  type EngineEvents,
  type EnginePhase,
  type EngineSender,
  type ApplicationFactory,
  type NodeStatus,
  type SessionOwnerInfo,
  type SessionSettingsRecord,
  SettingsApplyError,
  Session,
  type SessionHandleOptions,
  type SessionHandleEvents,
  type SendResult,
  type SessionStatus,
  type ApplicationRejectEvent,
  type OwnershipEvent,
  type StoreFaultEvent,
  type SessionFaultEvent,
  type FaultSite,
  LogonTimeoutError,
  SessionClosedError,
  SessionOwnedElsewhereError,
  Acceptor,
  type AcceptorOptions,
  type AcceptorFaultEvent,
  type ListenAddress,
  type SessionKey,
  type ShedEvent,
  Initiator,
  describeFailoverEvent,
  type Endpoint,
  type InitiatorSession,
  type InitiatorEvent,
  type InitiatorEvents,
} from './engine/index.js';

// Failover transport and TLS: the failover configuration an initiator is given, its events, and
// the TLS context acceptors and initiators are given.
export {
  type FailoverConfig,
  type FailoverConfigInit,
  type FailoverEndpoint,
  type FailoverEvent,
  type FailoverPhase,
  type DelayStep,
  type JitterMode,
  type RandomSource,
  FailoverUriError,
  FailoverSettingsError,
  AddressRangeError,
  TlsContext,
  TlsReloadError,
  type CertificateInfo,
  type TlsFailure,
  TlsSettingsError,
  type TlsSettings,
  type TlsVersion,
  type CompIdBinding,
  type KeyMaterial,
  type SettingFile,
} from './transport/index.js';

// Stores: the MessageStore interface for your own store, the memory, file and PostgreSQL stores
// with their factories, and the store errors.
export {
  type MessageStore,
  type MessageStoreFactory,
  type StoredMessage,
  type StoredState,
  type RangeLimit,
  MemoryStore,
  MemoryStoreFactory,
  FileStore,
  FileStoreFactory,
  type FileStoreOptions,
  type FileStoreFactoryOptions,
  type FileStoreRecovery,
  PostgresStore,
  PostgresStoreFactory,
  type PostgresStoreOptions,
  type PostgresConnectionOptions,
  PostgresDatabase,
  type PostgresDatabaseOptions,
  StoreError,
  FileStoreError,
  type FileStoreErrorReason,
  PostgresStoreError,
  type PostgresStoreErrorReason,
  PostgresDriverMissingError,
  SchemaTooNewError,
  StoreDamagedError,
  type StoreRepair,
  type StoreRecoveryPolicy,
  InvalidSeqNumError,
} from './store/index.js';

// Fenced session ownership: what a shared store's ownership looks like, and its errors.
export {
  SessionOwnedError,
  StoreFencedError,
  type AcquireResult,
  type OwnerRecord,
  type SessionOwnership,
  type StoreFence,
  type RefusalRecord,
} from './fencing/index.js';

// Logs: the Log interface for your own log, QuickFIX-style file and screen logs, JSON logs,
// composites, and attaching a log to a session's events.
export {
  type Log,
  type LogFactory,
  type LogMessage,
  type LogSessionId,
  NullLog,
  FileLog,
  FileLogFactory,
  type FileLogOptions,
  ScreenLog,
  ScreenLogFactory,
  type ScreenLogOptions,
  type TextSink,
  JsonLog,
  JsonLogFactory,
  type JsonLogOptions,
  CompositeLog,
  CompositeLogFactory,
} from './log/index.js';

// Logon authentication: credential files of scrypt hashes, the logon guard and its hook.
export {
  CredentialFile,
  CredentialFileError,
  hashPassword,
  type CredentialVerdict,
  type ScryptCost,
  type FailureLimits,
  LogonGuard,
  type LogonCheck,
  type LogonRequest,
  type LogonFailure,
  type LogonGuardEvents,
  type LogonGuardOptions,
} from './auth/index.js';

// Built-in applications: the executor to test against, and the acceptance-test echo.
export { executorApplication, acceptanceApplication, type Sender, type AcceptanceOptions } from './apps/index.js';

// Operations: the HTTP interface started from code (health, metrics, admin API, console).
export {
  AdminServer,
  AdminError,
  adminOptionsFrom,
  type AdminServerOptions,
  type AdminCluster,
  type SessionInfo,
  type ProcessMetricsLevel,
} from './admin/index.js';

// Cluster: a node started from code, what it reports, and its errors.
export {
  ClusterNode,
  type ClusterEngine,
  ClusterSettingsError,
  describeClusterEvent,
  type ClusterEvent,
  type ClusterStatus,
  type MemberRecord,
  type MemberState,
  type MoveOrder,
  type MoveReason,
  type MoveRequest,
  type TopologyFile,
  ClusterMoveError,
  type MoveRefusalCode,
  ClusterDiscoveryError,
  ClusterMessageError,
} from './cluster/index.js';
