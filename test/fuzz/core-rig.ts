/**
 * The session core under fuzzing: a real SessionCore with the executor application, a memory store
 * driven through `applyStoreAction` and a fake clock, wrapped in the same boundary as the engine's
 * Session (an error thrown out of the core or its store ends the connection: `abandon`, then the
 * counterparty connects and logs on again). Records every fault and every broken invariant.
 */
import { Parser, CodecError } from '../../src/codec/index.js';
import { SessionID, type SessionAction, type SessionOptions } from '../../src/session/index.js';
import { SessionCore } from '../../src/session/core.js';
import { applyStoreAction } from '../../src/session/apply.js';
import { MemoryStore } from '../../src/store/index.js';
import { Message } from '../../src/codec/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { sessionOptionsFrom } from '../../src/engine/from-settings.js';
import { FuzzPeer, type FuzzStep } from './generators.js';

export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
/** A small gap queue so the fuzzer reaches its limit. */
export const MAX_QUEUED = 20;

/** The store's sequence number limit (the file and PostgreSQL stores' MAX_SEQ). */
const MAX_SEQ = 0xffffffff;

/** What went wrong in a run. */
export interface Finding {
  /** fault: an error escaped the core or its store; invariant: a state check failed after a step. */
  readonly kind: 'fault' | 'invariant';
  readonly text: string;
  /** The step being handled (index into the steps). */
  readonly step: number;
  /** Known cause, fixed on another branch of issue 13 (see knownCause). */
  readonly known?: string;
}

const optionsCache = new Map<string, SessionOptions>();

/** The executor's session options (EXEC talking to `target`) with (FIX.4.2, its dictionary) or without (FIX.4.4) validation. */
export function options(dictionary: boolean, target = 'FUZZ'): SessionOptions {
  const key = `${dictionary}:${target}`;
  let o = optionsCache.get(key);
  if (!o) {
    const record: Record<string, string> = {
      ConnectionType: 'acceptor',
      BeginString: dictionary ? 'FIX.4.2' : 'FIX.4.4',
      SenderCompID: 'EXEC',
      TargetCompID: target,
      HeartBtInt: '30',
      StartTime: '00:00:00',
      EndTime: '00:00:00',
      UseDataDictionary: dictionary ? 'Y' : 'N',
    };
    if (dictionary) record.DataDictionary = 'etc/FIX42.xml';
    o = { ...sessionOptionsFrom(record, process.cwd()), maxQueuedMessages: MAX_QUEUED };
    optionsCache.set(key, o);
  }
  return o;
}

/**
 * A fault with a known cause, counted instead of failing the property. None now: the causes the
 * fuzzers found (issue 13, finding 1: session number fields out of range or not numbers) are fixed,
 * and any fault fails. A cause found later and tracked elsewhere can be listed here meanwhile.
 */
export function knownCause(text: string): string | undefined {
  void text;
  return undefined;
}

export class CoreRig {
  now = T0;
  readonly store = new MemoryStore();
  readonly core: SessionCore;
  readonly peer: FuzzPeer;
  readonly findings: Finding[] = [];
  /** Outgoing messages checked. */
  sent = 0;
  private step = -1;
  private readonly strict = new Parser();
  private readonly id: SessionID;

  constructor(dictionary: boolean) {
    const o = options(dictionary);
    this.id = o.sessionId;
    this.core = new SessionCore(o, executorApplication({ send: (m) => this.send(m) }), this.now);
    this.peer = new FuzzPeer(this.id.beginString, this.id.targetCompID, this.id.senderCompID);
    this.contain(() => this.apply(this.core.connected(this.now)));
    this.deliver(this.peer.logon(true, this.now));
  }

  /** Runs the steps; stops early only on an unknown finding. */
  run(steps: readonly FuzzStep[]): void {
    for (let i = 0; i < steps.length; i++) {
      this.step = i;
      this.perform(steps[i]);
      this.check();
      if (this.findings.some((f) => !f.known)) return;
    }
  }

  private perform(step: FuzzStep): void {
    if (!this.core.isConnected) this.reconnect(true);
    switch (step.kind) {
      case 'clock':
        this.now += step.ms;
        this.contain(() => this.apply(this.core.tick(this.now)));
        return;
      case 'reconnect':
        this.contain(() => this.apply(this.core.disconnected(this.now)));
        this.reconnect(step.reset);
        return;
      case 'app-send':
        this.contain(() => this.send(new Message('B').set(148, 'news').set(33, 1).set(58, 'fuzz')));
        return;
      default:
        for (const chunk of this.peer.render(step, this.now)) this.deliver(chunk);
    }
  }

  private reconnect(reset: boolean): void {
    this.contain(() => this.apply(this.core.connected(this.now)));
    this.deliver(this.peer.logon(reset, this.now));
  }

  private deliver(chunk: Buffer): void {
    this.contain(() => this.apply(this.core.receive(chunk, this.now)));
  }

  /** The application's send (re-entrant, as the engine's Session allows). */
  private send(m: Message): void {
    this.apply(this.core.send(m, this.now).actions);
  }

  /** The boundary: what the engine's Session does with an error nothing else caught. */
  private contain(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const text = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
      this.findings.push({ kind: 'fault', text, step: this.step, known: knownCause(text) });
      try {
        this.apply(this.core.abandon(this.now, 'fault', this.store.getNextSenderSeq(), this.store.getNextTargetSeq()));
      } catch (again) {
        this.findings.push({ kind: 'fault', text: `while abandoning: ${String(again)}`, step: this.step });
      }
    }
  }

  private apply(actions: SessionAction[]): void {
    for (const a of actions) {
      if (a.type === 'set-next-target-seq' || a.type === 'set-next-sender-seq') checkStoreSeq(a.seq);
      else if (a.type === 'send' && a.persist !== 'none') checkStoreSeq(a.persist === 'message' ? a.seq : a.seq + 1);
      if (applyStoreAction(this.store, a, this.now)) continue;
      switch (a.type) {
        case 'send':
          this.checkOutgoing(a.bytes);
          break;
        case 'load-resend':
          this.apply(this.core.resendStored(a.begin, a.end, this.store.getRangeSync(a.begin, a.end), this.now));
          break;
        default:
          break;
      }
    }
  }

  /** Every message the core writes is well-formed FIX with a usable MsgSeqNum. */
  private checkOutgoing(bytes: Buffer): void {
    this.sent++;
    const v = this.strict.tryParse(bytes);
    if (v instanceof CodecError) return this.invariant(`outgoing message not well-formed: ${v.message}: ${bytes.toString('latin1').split('\x01').join('|')}`);
    const seq = Number(v.get(34));
    if (!Number.isSafeInteger(seq) || seq < 1) this.invariant(`outgoing MsgSeqNum ${v.get(34)}: ${bytes.toString('latin1').split('\x01').join('|')}`);
  }

  /** State after a step: numbers usable, queues within their limits. */
  private check(): void {
    const c = this.core;
    for (const [name, n] of [['sender', c.nextSenderSeq], ['target', c.nextTargetSeq]] as const) {
      if (!Number.isSafeInteger(n) || n < 1) this.invariant(`next ${name} number ${n} is not a safe integer >= 1`);
      else if (n > MAX_SEQ + 1) this.invariant(`next ${name} number ${n} beyond the store's limit`);
    }
    const inner = c as unknown as { state: { queue: Map<number, Buffer> }; pending: Buffer[]; held: Message[]; actions: SessionAction[] };
    if (inner.state.queue.size > MAX_QUEUED) this.invariant(`${inner.state.queue.size} messages queued behind a gap (limit ${MAX_QUEUED})`);
    if (inner.pending.length > 0) this.invariant(`${inner.pending.length} frames pending with no callback outstanding`);
    if (inner.held.length > 0) this.invariant(`${inner.held.length} messages held with no resend loading`);
    if (inner.actions.length > 0) this.invariant(`${inner.actions.length} actions left in the core after a call`);
  }

  private invariant(text: string): void {
    this.findings.push({ kind: 'invariant', text, step: this.step, known: knownCause(text) });
    // Go on from a clean session (the counterparty logs on again with ResetSeqNumFlag=Y).
    this.store.reset(new Date(this.now));
    this.contain(() => this.apply(this.core.abandon(this.now, 'invariant', 1, 1)));
  }
}

/** The store refuses what the file and PostgreSQL stores refuse (the memory store takes anything). */
function checkStoreSeq(seq: number): void {
  if (!Number.isInteger(seq) || seq < 1 || seq > MAX_SEQ) throw new RangeError(`invalid sequence number ${seq}`);
}
