/**
 * fixover — a high-availability FIX engine for Node.js.
 *
 * The package root re-exports the public API of every module.
 */
export const VERSION = '0.1.0';
export * from './codec/index.js';
export * from './dictionary/index.js';
