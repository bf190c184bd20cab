/** Carries out the store part of a session core's actions, the same way for every driver. */
import type { MessageStore } from '../store/store.js';
import type { SessionAction } from './actions.js';

/**
 * Applies an action's store operation: persisting an outgoing message or its sequence number,
 * setting a sequence number, resetting. Returns true when the action was a store operation only.
 */
export function applyStoreAction(store: MessageStore, a: SessionAction, now: number): boolean {
  switch (a.type) {
    case 'send':
      if (a.persist === 'message') store.saveOutgoing(a.seq, a.bytes);
      else if (a.persist === 'seq') store.setNextSenderSeq(a.seq + 1);
      return false;
    case 'set-next-target-seq':
      store.setNextTargetSeq(a.seq);
      return true;
    case 'set-next-sender-seq':
      store.setNextSenderSeq(a.seq);
      return true;
    case 'reset-store':
      store.reset(new Date(now));
      return true;
    default:
      return false;
  }
}
