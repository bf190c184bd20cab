/**
 * Drives a FailoverPolicy with a fake clock and a scripted connector: each endpoint either
 * refuses, accepts and drops before logon, or logs on. Commands and events are recorded in order.
 */
import { FailoverPolicy } from '../../src/transport/failover-policy.js';
import { failoverConfig, type FailoverConfigInit } from '../../src/transport/failover-config.js';
import { seededRandom, type RandomSource } from '../../src/transport/random.js';
import type { FailoverCommand, FailoverEvent, PolicyOutput } from '../../src/transport/policy-types.js';

export type Outcome = 'refuse' | 'dropBeforeLogon' | 'logon' | 'hang';

export class FakeNet {
  now = 0;
  readonly policy: FailoverPolicy;
  readonly commands: Array<FailoverCommand & { at: number }> = [];
  readonly events: Array<FailoverEvent & { at: number }> = [];
  deadline: number | null = null;
  /** Outcome per endpoint URI (default refuse). */
  readonly outcome = new Map<string, Outcome>();
  /** Connect time in ms (the fake connector answers after this). */
  connectMs = 1;
  private pending: Array<{ at: number; run: () => PolicyOutput }> = [];

  constructor(init: FailoverConfigInit, random: RandomSource = seededRandom(1)) {
    this.policy = new FailoverPolicy(failoverConfig(init), { random });
  }

  apply(out: PolicyOutput): void {
    for (const c of out.commands) {
      this.commands.push({ ...c, at: this.now });
      if (c.type === 'connect') this.scheduleAttempt(c.endpoint.uri, false);
      if (c.type === 'useBackup') this.scheduleAttempt(c.endpoint.uri, true);
    }
    for (const e of out.events) this.events.push({ ...e, at: this.now });
    this.deadline = out.deadline;
  }

  private scheduleAttempt(uri: string, standby: boolean): void {
    const o = this.outcome.get(uri) ?? 'refuse';
    const ep = this.policy.endpoints.find((e) => e.uri === uri)!;
    const at = this.now + (standby ? 0 : this.connectMs);
    if (o === 'hang') return;
    if (o === 'refuse') this.pending.push({ at, run: () => this.policy.connectFailed(ep, this.now, 'ECONNREFUSED') });
    else if (o === 'dropBeforeLogon') {
      if (!standby) this.pending.push({ at, run: () => this.policy.connected(ep, this.now) });
      this.pending.push({ at: at + 1, run: () => this.policy.disconnected(this.now, 'closed during logon') });
    } else {
      if (!standby) this.pending.push({ at, run: () => this.policy.connected(ep, this.now) });
      this.pending.push({ at: at + 1, run: () => this.policy.loggedOn(ep, this.now) });
    }
  }

  start(): this {
    this.apply(this.policy.start(this.now));
    return this;
  }

  /** Advances the fake clock to `until`, delivering connector results and policy deadlines in time order. */
  runUntil(until: number): void {
    for (let guard = 0; guard < 100000; guard++) {
      this.pending.sort((a, b) => a.at - b.at);
      const next = this.pending[0]?.at ?? Infinity;
      const dl = this.deadline ?? Infinity;
      const t = Math.min(next, dl);
      if (t > until) break;
      this.now = Math.max(this.now, t);
      if (next <= dl) {
        const p = this.pending.shift()!;
        this.apply(p.run());
      } else this.apply(this.policy.tick(this.now));
    }
    this.now = Math.max(this.now, until);
  }

  input(f: (now: number) => PolicyOutput): void {
    this.apply(f(this.now));
  }

  /** Cancels scripted results not yet delivered (the connection they belonged to is gone). */
  clearPending(): void {
    this.pending = [];
  }

  ofType<T extends FailoverEvent['type']>(type: T): Array<Extract<FailoverEvent, { type: T }> & { at: number }> {
    return this.events.filter((e) => e.type === type) as Array<Extract<FailoverEvent, { type: T }> & { at: number }>;
  }

  cmds<T extends FailoverCommand['type']>(type: T): Array<Extract<FailoverCommand, { type: T }> & { at: number }> {
    return this.commands.filter((e) => e.type === type) as Array<Extract<FailoverCommand, { type: T }> & { at: number }>;
  }

  /** The endpoints tried, in order (connect and useBackup). */
  tried(): string[] {
    return this.commands.filter((c) => c.type === 'connect' || c.type === 'useBackup').map((c) => (c as { endpoint: { uri: string } }).endpoint.uri);
  }
}

export const A = 'tcp://a:1';
export const B = 'tcp://b:2';
export const C = 'tcp://c:3';
