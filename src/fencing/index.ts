/** Fenced session ownership: leases with epochs that the stores check before writing. */
export { SessionOwnedError, StoreFencedError, type AcquireResult, type OwnerRecord, type SessionOwnership, type StoreFence } from './ownership.js';
export { FileOwnership, type FileOwnershipOptions } from './file-ownership.js';
export { PostgresOwnership, type PostgresOwnershipOptions } from './postgres-ownership.js';
export type { RefusalRecord } from './refusal-record.js';
