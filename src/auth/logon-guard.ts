/**
 * Logon authentication of acceptor sessions: a Logon's `Username(553)` and `Password(554)` are
 * checked against a credential file (`LogonCredentialsFile`) or an application hook before the
 * application sees the Logon; `NewPassword(925)` changes the password in the file. A refused Logon
 * is answered with a Logout giving the reason. Failures are counted, and an address with too many
 * recent failures is refused for a while without its password being checked (`FailureLimiter`).
 */
import { EventEmitter } from 'node:events';
import type { MessageView } from '../codec/message-view.js';
import type { Application } from '../session/actions.js';
import { RejectLogon } from '../session/errors.js';
import type { SessionID } from '../session/session-id.js';
import type { CredentialFile } from './credentials.js';
import { FailureLimiter, type FailureLimits } from './failure-limiter.js';

/** What a logon presents, for a {@link LogonCheck}. Passwords are here only; they are never logged. */
export interface LogonRequest {
  readonly sessionId: SessionID;
  /** The counterparty's CompID (its SenderCompID; our TargetCompID). */
  readonly compId: string;
  readonly remote: string;
  readonly username?: string;
  readonly password?: string;
  readonly newPassword?: string;
}

/** An application's logon check: true accepts; false, or a reason, refuses. */
export type LogonCheck = (request: LogonRequest) => boolean | string | Promise<boolean | string>;

/** A refused logon (the password is not part of it). */
export interface LogonFailure {
  readonly sessionId: SessionID;
  readonly remote: string;
  readonly username: string | undefined;
  readonly reason: string;
  /** Refused logons so far on this guard. */
  readonly count: number;
  /** The address is now blocked for a while. */
  readonly blocked: boolean;
}

/** The events of a LogonGuard. */
export interface LogonGuardEvents {
  /** A logon was refused (unknown user, wrong password, blocked address). */
  failure: [LogonFailure];
  /** A user changed their password with NewPassword(925). */
  passwordChanged: [{ readonly sessionId: SessionID; readonly username: string }];
}

/** Where a LogonGuard finds credentials and limits. */
export interface LogonGuardOptions {
  /** The credential file of each session that has one (sessions without one and without `check` are not checked). */
  credentials?: (sessionId: SessionID) => CredentialFile | undefined;
  /** An application's check, used when a session has no credential file. */
  check?: LogonCheck;
  /** Failed-logon limits per remote address (default: DEFAULT_FAILURE_LIMITS). */
  limits?: FailureLimits;
  /** The clock (default: Date.now). */
  now?: () => number;
}

const REFUSED = 'Logon refused: unknown user or wrong password';

/** Checks the logons of the sessions it wraps; one guard per engine, so limits span its sessions. */
export class LogonGuard extends EventEmitter<LogonGuardEvents> {
  private readonly limiter: FailureLimiter;
  private failures = 0;
  private readonly now: () => number;

  constructor(private readonly o: LogonGuardOptions) {
    super();
    this.limiter = new FailureLimiter(o.limits);
    this.now = o.now ?? Date.now;
  }

  /** Refused logons so far (issue 16's metrics read it). */
  get failureCount(): number {
    return this.failures;
  }

  /** True when the session's logons are checked. */
  guards(sessionId: SessionID): boolean {
    return this.o.credentials?.(sessionId) !== undefined || this.o.check !== undefined;
  }

  /**
   * The application of one acceptor session with its Logons checked first; `remote` tells the
   * address of the session's connection. Other messages go to `app` unchanged.
   */
  wrap(app: Application<SessionID>, remote: () => string): Application<SessionID> {
    return {
      ...app,
      onCreate: app.onCreate?.bind(app),
      onLogon: app.onLogon?.bind(app),
      onLogout: app.onLogout?.bind(app),
      toAdmin: app.toAdmin?.bind(app),
      toApp: app.toApp?.bind(app),
      fromApp: app.fromApp?.bind(app),
      fromAdmin: (view: MessageView, id: SessionID) => {
        if (view.msgType !== 'A' || !this.guards(id)) return app.fromAdmin?.(view, id);
        const copy = view.clone();
        return this.authorize(copy, id, remote()).then(() => app.fromAdmin?.(copy, id));
      },
    };
  }

  /** Resolves when the Logon may proceed; rejects with RejectLogon (the Logout's reason) otherwise. */
  private async authorize(view: MessageView, sessionId: SessionID, remote: string): Promise<void> {
    const username = view.get(553);
    const request: LogonRequest = { sessionId, compId: view.get(49) ?? '', remote, username, password: view.get(554), newPassword: view.get(925) };
    const wait = this.limiter.blockedFor(remote, this.now());
    if (wait > 0) return this.refuse(request, `Logon refused: too many failed logons from ${remote}; try again in ${Math.ceil(wait / 1000)} s`, false);
    const file = this.o.credentials?.(sessionId);
    if (file) {
      if (!username || request.password === undefined) return this.refuse(request, 'Logon refused: Username(553) and Password(554) are required');
      const verdict = await file.verify(username, request.password, request.compId);
      if (verdict === 'unknown-user' || verdict === 'wrong-password') return this.refuse(request, REFUSED);
      if (verdict === 'wrong-compid') return this.refuse(request, `Logon refused: user ${username} may not log on as ${request.compId}`);
      if (request.newPassword !== undefined) {
        if (request.newPassword === '') return this.refuse(request, 'Logon refused: NewPassword(925) is empty');
        try {
          await file.setPassword(username, request.newPassword);
        } catch (e) {
          return this.refuse(request, `Logon refused: the new password could not be saved (${e instanceof Error ? e.message : String(e)})`, false);
        }
        this.emit('passwordChanged', { sessionId, username });
      }
    } else if (this.o.check) {
      let verdict: boolean | string;
      try {
        verdict = await this.o.check(request);
      } catch (e) {
        verdict = `Logon refused: the logon check failed (${e instanceof Error ? e.message : String(e)})`;
      }
      if (verdict !== true) return this.refuse(request, typeof verdict === 'string' ? verdict : REFUSED);
    }
    this.limiter.succeeded(remote);
  }

  private refuse(r: LogonRequest, reason: string, count = true): never {
    const blocked = count ? this.limiter.failed(r.remote, this.now()).blocked : false;
    const failure: LogonFailure = { sessionId: r.sessionId, remote: r.remote, username: r.username, reason, count: ++this.failures, blocked };
    this.emit('failure', failure);
    throw new RejectLogon(reason);
  }
}
