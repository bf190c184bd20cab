/** Logon authentication: credential files of salted scrypt hashes, an application hook, per-address limits on failures. */
export { CredentialFile, CredentialFileError, hashPassword, verifyPassword, hashProblem, parseCredentials, DEFAULT_SCRYPT_COST, type CredentialEntry, type CredentialVerdict, type ScryptCost } from './credentials.js';
export { DEFAULT_FAILURE_LIMITS, type FailureLimits } from './failure-limiter.js';
export { LogonGuard, type LogonCheck, type LogonRequest, type LogonFailure, type LogonGuardEvents, type LogonGuardOptions } from './logon-guard.js';
