/** Message stores: one interface, memory and file implementations. */
export type { MessageStore, MessageStoreFactory, StoredMessage } from './store.js';
export { MemoryStore, MemoryStoreFactory } from './memory-store.js';
