/** Reading stored messages from `.body`: adjacent messages are fetched with one read (up to 1 MiB). */
import type { StoredMessage } from './store.js';
import { FileStoreError } from './file-store-error.js';
import type { IndexEntry } from './file-store-index.js';
import { type StoreFile, readAt } from './file-store-fs.js';

const MAX_READ = 1 << 20;
/** Runs up to this size are handed out as slices. */
const SLICE_RUN = 64 * 1024;

/** Reads the messages of `entries` (in sequence order) from the body file `file` at `path`. */
export async function readMessages(file: StoreFile, path: string, entries: readonly IndexEntry[]): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  for (let k = 0; k < entries.length; ) {
    const first = entries[k];
    let runEnd = first.offset + first.size;
    let j = k + 1;
    while (j < entries.length && entries[j].offset === runEnd && runEnd + entries[j].size - first.offset <= MAX_READ) {
      runEnd += entries[j].size;
      j++;
    }
    const buf = await readAt(file, first.offset, runEnd - first.offset).catch((e: unknown) => {
      throw FileStoreError.wrap('io', 'read', path, e);
    });
    if (buf.length < runEnd - first.offset) {
      throw new FileStoreError('io', `file store: message ${entries[j - 1].seq} is cut short in ${path}`, path);
    }
    for (let m = k; m < j; m++) {
      const e = entries[m];
      const at = e.offset - first.offset;
      // A small run (a resend chunk) is handed out as slices of its one buffer; a slice of a large
      // one is copied, so that a message kept does not pin up to a megabyte.
      out.push({ seq: e.seq, bytes: j - k === 1 ? buf : buf.length <= SLICE_RUN ? buf.subarray(at, at + e.size) : Buffer.from(buf.subarray(at, at + e.size)) });
    }
    k = j;
  }
  return out;
}
