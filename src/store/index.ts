/** Message stores: one interface, memory and file implementations. */
export type { MessageStore, MessageStoreFactory, StoredMessage, StoredState, RangeLimit } from './store.js';
export { MemoryStore, MemoryStoreFactory } from './memory-store.js';
export { FileStore, FileStoreFactory, type FileStoreOptions, type FileStoreFactoryOptions, type FileStoreRecovery } from './file-store.js';
export { StoreError } from './store-error.js';
export { MAX_SEQ_NUM, InvalidSeqNumError, checkSeqNum, checkStoredSeqNum } from './seq-num.js';
export { StoreDamagedError, formatRepair, STORE_RECOVERY_POLICIES, type StoreRepair, type StoreRecoveryPolicy } from './store-repair.js';
export { FileStoreError, type FileStoreErrorReason } from './file-store-error.js';
export { nodeFileSystem, type StoreFile, type StoreFileSystem } from './file-store-fs.js';
export { PostgresStore, PostgresStoreFactory, type PostgresStoreOptions } from './postgres-store.js';
export { PostgresDatabase, type PostgresDatabaseOptions } from './postgres-database.js';
export { PostgresStoreError, type PostgresStoreErrorReason } from './postgres-error.js';
export { type PostgresConnectionOptions, describeTarget, redactUrl } from './postgres-connection.js';
export { SCHEMA_VERSION, FENCED_SQLSTATE, SchemaTooNewError } from './postgres-schema.js';
export { PostgresDriverMissingError } from './pg-driver.js';
export { postgresOptionsFrom } from './postgres-settings.js';
