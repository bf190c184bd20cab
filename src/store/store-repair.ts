/**
 * What a store found wrong with its data when it opened (or refreshed), and the policy that decides
 * what happens then (`StoreRecovery`). A torn last write, as a crash leaves it, is always repaired;
 * anything more (lost messages that had been stored and acknowledged, sequence numbers that no
 * longer match the stored messages) refuses the start unless the policy is `repair`.
 */
import { StoreError } from './store-error.js';

/** `StoreRecovery`: `refuse` (default) stops at damage beyond a torn last write; `repair` starts anyway. */
export type StoreRecoveryPolicy = 'refuse' | 'repair';

/** The recovery policies, as the setting accepts them. */
export const STORE_RECOVERY_POLICIES: readonly StoreRecoveryPolicy[] = ['refuse', 'repair'];

/** One thing a store found wrong, and what repairing it does (or did). */
export interface StoreRepair {
  /** The file (or table) concerned. */
  readonly file: string;
  /** Byte offset of the damage in the file, when it has a place. */
  readonly offset?: number;
  /** What is wrong. */
  readonly problem: string;
  /** What the repair does: what is dropped, what is set. */
  readonly repair: string;
  /** A torn last write (repaired whatever the policy); false: damage, refused unless `repair`. */
  readonly torn: boolean;
}

/** One line for a repair: `file at offset N: problem; repair`. */
export function formatRepair(r: StoreRepair): string {
  return `${r.file}${r.offset === undefined ? '' : ` at offset ${r.offset}`}: ${r.problem}; ${r.repair}`;
}

/** The store's data is damaged beyond a torn last write and the policy is `refuse`: it was not opened. */
export class StoreDamagedError extends StoreError {
  constructor(
    /** The store (file prefix or session name). */
    readonly store: string,
    /** Everything found, torn writes included. */
    readonly repairs: readonly StoreRepair[],
  ) {
    const damage = repairs.filter((r) => !r.torn);
    super(
      `store of ${store} is damaged, session not started:\n` +
        damage.map((r) => `  ${r.file}${r.offset === undefined ? '' : ` at offset ${r.offset}`}: ${r.problem}\n`).join('') +
        `StoreRecovery=repair starts it anyway, repairing:\n` +
        damage.map((r) => `  ${r.file}: ${r.repair}`).join('\n'),
    );
  }
}

/** Throws StoreDamagedError when `repairs` hold damage beyond a torn write and the policy refuses it. */
export function applyPolicy(store: string, repairs: readonly StoreRepair[], policy: StoreRecoveryPolicy): void {
  if (policy === 'refuse' && repairs.some((r) => !r.torn)) throw new StoreDamagedError(store, repairs);
}
