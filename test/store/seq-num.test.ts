import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileStore, InvalidSeqNumError, MAX_SEQ_NUM, MemoryStore, StoreError, type MessageStore } from '../../src/store/index.js';
import { fixMessage, tempDir } from './helpers.js';

/** Every store refuses the same numbers, with the same typed error, and changes nothing. */
function checkLimits(store: MessageStore): void {
  store.setNextSenderSeq(MAX_SEQ_NUM);
  store.setNextTargetSeq(MAX_SEQ_NUM);
  store.setNextSenderSeq(5);
  store.setNextTargetSeq(7);
  for (const bad of [0, -1, MAX_SEQ_NUM + 1, 1.5, Number.NaN]) {
    assert.throws(() => store.setNextSenderSeq(bad), InvalidSeqNumError, `sender ${bad}`);
    assert.throws(() => store.setNextTargetSeq(bad), InvalidSeqNumError, `target ${bad}`);
  }
  // A stored message sets the next sender number past it, which must fit too.
  assert.throws(() => store.saveOutgoing(MAX_SEQ_NUM, fixMessage(1)), (e: unknown) => e instanceof InvalidSeqNumError && e instanceof StoreError && e.max === MAX_SEQ_NUM - 1);
  store.saveOutgoing(MAX_SEQ_NUM - 1, fixMessage(1));
  assert.equal(store.getNextSenderSeq(), MAX_SEQ_NUM);
  assert.equal(store.getNextTargetSeq(), 7);
}

test('sequence numbers: the memory and file stores hold 1 to MAX_SEQ_NUM and refuse the rest with InvalidSeqNumError', async () => {
  assert.equal(MAX_SEQ_NUM, 0xffffffff);
  checkLimits(new MemoryStore());
  const { dir, cleanup } = await tempDir();
  try {
    const store = await FileStore.open({ path: dir, prefix: 'FIX.4.4-A-B' });
    checkLimits(store);
    await store.flush();
    await store.close();
    const again = await FileStore.open({ path: dir, prefix: 'FIX.4.4-A-B' });
    assert.equal(again.getNextSenderSeq(), MAX_SEQ_NUM);
    assert.equal(again.getNextTargetSeq(), 7);
    await again.close();
  } finally {
    await cleanup();
  }
});
