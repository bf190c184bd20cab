// Child process for the kill -9 test: stores messages forever, printing each sequence number once
// its flush has resolved (the parent kills it at a random moment and checks nothing acked is lost).
import { FileStore } from '../../src/store/index.js';
import { fixMessage } from './helpers.js';

const [dir, prefix, sync] = process.argv.slice(2);
const store = await FileStore.open({ path: dir, prefix, sync: sync === 'sync' });
for (let seq = store.getNextSenderSeq(); ; seq++) {
  store.saveOutgoing(seq, fixMessage(seq, `58=${'m'.repeat(seq % 50)}`));
  store.setNextTargetSeq(seq + 1);
  if (seq % 3 === 0) {
    await store.flush();
    process.stdout.write(`${seq}\n`);
  }
}
