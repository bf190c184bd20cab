/**
 * fixover — a high-availability FIX engine for Node.js.
 *
 * The package root re-exports the public API of every module.
 */
export const VERSION = '0.1.0';
export * from './codec/index.js';
export * from './dictionary/index.js';
export * from './validation/index.js';
export * from './session/index.js';
export * from './store/index.js';
export * from './log/index.js';
export * from './config/index.js';
export * from './engine/index.js';
export * from './transport/index.js';
export * from './apps/index.js';
export * from './client/index.js';
export * from './fencing/index.js';
export * from './admin/index.js';
export * from './cluster/index.js';
/** Typed messages: the reader base, builder errors and the generator (`fixover generate`). Versions: `fixover/messages/fix44`, … */
export { TypedReader, TypedMessageError, type MessageFactory } from './messages/runtime.js';
export { generateMessages, writeMessages, type GenerateOptions } from './messages/generate.js';
export * from './auth/index.js';
