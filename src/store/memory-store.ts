/** A store that keeps everything in memory: fast, lost when the process ends. Checks sequence numbers as the other stores do. */
import { countWithin, type MessageStore, type MessageStoreFactory, type RangeLimit, type StoredMessage } from './store.js';
import { checkSeqNum, checkStoredSeqNum } from './seq-num.js';

/** A store in memory: sequence numbers and messages are lost with the process (tests, stateless counterparties). */
export class MemoryStore implements MessageStore {
  private nextSender = 1;
  private nextTarget = 1;
  private readonly messages = new Map<number, Buffer>();
  creationTime = new Date();

  getNextSenderSeq(): number {
    return this.nextSender;
  }

  getNextTargetSeq(): number {
    return this.nextTarget;
  }

  setNextSenderSeq(seq: number): void {
    this.nextSender = checkSeqNum(seq);
  }

  setNextTargetSeq(seq: number): void {
    this.nextTarget = checkSeqNum(seq);
  }

  saveOutgoing(seq: number, bytes: Buffer): void {
    checkStoredSeqNum(seq);
    this.messages.set(seq, bytes);
    this.nextSender = seq + 1;
  }

  async getRange(begin: number, end: number, limit?: RangeLimit): Promise<StoredMessage[]> {
    return this.getRangeSync(begin, end, limit);
  }

  /** Synchronous range read (memory only). */
  getRangeSync(begin: number, end: number, limit?: RangeLimit): StoredMessage[] {
    let out: StoredMessage[] = [];
    if (end - begin < this.messages.size) {
      const max = limit?.maxMessages ?? Infinity;
      for (let s = begin; s <= end && out.length < max; s++) {
        const b = this.messages.get(s);
        if (b) out.push({ seq: s, bytes: b });
      }
    } else {
      for (const [seq, bytes] of this.messages) if (seq >= begin && seq <= end) out.push({ seq, bytes });
      out = out.sort((a, b) => a.seq - b.seq);
    }
    const n = countWithin(limit, out.length, (i) => out[i].bytes.length);
    return n === out.length ? out : out.slice(0, n);
  }

  reset(now = new Date()): void {
    this.nextSender = 1;
    this.nextTarget = 1;
    this.messages.clear();
    this.creationTime = now;
  }

  async refresh(): Promise<void> {}

  async flush(): Promise<void> {}

  flushNow(): boolean {
    return true;
  }

  async close(): Promise<void> {}
}

/** Makes a {@link MemoryStore} per session. */
export class MemoryStoreFactory implements MessageStoreFactory {
  async create(): Promise<MessageStore> {
    return new MemoryStore();
  }
}
