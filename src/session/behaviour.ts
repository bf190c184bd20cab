/**
 * Behaviour profiles (`SessionBehaviour`): how a session answers where QuickFIX C++ (the default)
 * and QuickFIX/J differ at the session level. A profile is data handed to the session core; the
 * core asks it at each point where the two engines part.
 */
import { SessionRejectReason as R, rejectText } from '../validation/reject-reason.js';

/** The names `SessionBehaviour` accepts. */
export type SessionBehaviourName = 'quickfix' | 'quickfixj';

/** Where QuickFIX C++ and QuickFIX/J answer differently, as data. */
export interface SessionBehaviour {
  /** The profile's `SessionBehaviour` value. */
  readonly name: SessionBehaviourName;
  /**
   * Text(58) of a Reject whose reason names a tag. `suffix`: the tag follows the text,
   * `" (35)"` in QuickFIX C++ (FIX 4.0/4.1 only, where there is no RefTagID) and `", field=35"` in
   * QuickFIX/J (every version, next to RefTagID from FIX 4.2 on, for rejects from validation).
   */
  readonly tagInRejectText: { readonly old: (text: string, tag: number) => string; readonly validation: (text: string, tag: number) => string };
  /** Reject texts by SessionRejectReason where the profile's differ from QuickFIX C++'s. */
  readonly rejectTexts: Readonly<Partial<Record<number, string>>>;
  /** RefTagID(371) on the Rejects for a bad SendingTime (52), OrigSendingTime (122) and an invalid MsgType (35). */
  readonly refTagOnHeaderRejects: boolean;
  /** The Logout after a Reject for a CompID or SendingTime problem carries the reason as Text. */
  readonly logoutTextOnHeaderProblems: boolean;
  /** A message without MsgSeqNum: `reject` (Required tag missing, 34) or `logout` ("Received message without MsgSeqNum", then disconnect). */
  readonly missingMsgSeqNum: 'reject' | 'logout';
  /** A Logon with a bad SendingTime or CompID: `disconnect` at once, or `logout` with "Invalid Logon message: …" first. */
  readonly badLogonHeader: 'disconnect' | 'logout';
  /** A FIXT Logon whose DefaultApplVerID(1137) is no ApplVerID value: `accept` or `refuse` (a Logout saying why). */
  readonly unknownDefaultApplVerID: 'accept' | 'refuse';
  /** FIXT: a BusinessMessageReject carries the session's DefaultApplVerID. */
  readonly applVerIdOnBusinessReject: boolean;
  /**
   * LastMsgSeqNumProcessed(369) with `EnableLastMsgSeqNumProcessed=Y`: `last-processed` (the last
   * number the session counted) on every message, or `answered`: a message that answers another
   * (the Logon and Logout responses, the Heartbeat answering a TestRequest, a Reject, the gap fill
   * answering a ResendRequest) names the number of the message it answers.
   */
  readonly lastMsgSeqNumProcessed: 'last-processed' | 'answered';
  /** The acceptance application echoes a repeating group with NumInGroup=0 (QuickFIX/J drops the empty group). */
  readonly echoEmptyGroups: boolean;
}

/** QuickFIX C++ (the default). */
export const QUICKFIX_BEHAVIOUR: SessionBehaviour = {
  name: 'quickfix',
  tagInRejectText: { old: (text, tag) => `${text} (${tag})`, validation: (text) => text },
  rejectTexts: {},
  refTagOnHeaderRejects: false,
  logoutTextOnHeaderProblems: false,
  missingMsgSeqNum: 'reject',
  badLogonHeader: 'disconnect',
  unknownDefaultApplVerID: 'accept',
  applVerIdOnBusinessReject: true,
  lastMsgSeqNumProcessed: 'last-processed',
  echoEmptyGroups: true,
};

/** QuickFIX/J (`SessionBehaviour=quickfixj`). */
export const QUICKFIXJ_BEHAVIOUR: SessionBehaviour = {
  name: 'quickfixj',
  tagInRejectText: { old: (text, tag) => `${text}, field=${tag}`, validation: (text, tag) => `${text}, field=${tag}` },
  rejectTexts: { [R.RepeatingGroupFieldsOutOfOrder]: 'Out of order repeating group members' },
  refTagOnHeaderRejects: true,
  logoutTextOnHeaderProblems: true,
  missingMsgSeqNum: 'logout',
  badLogonHeader: 'logout',
  unknownDefaultApplVerID: 'refuse',
  applVerIdOnBusinessReject: false,
  lastMsgSeqNumProcessed: 'answered',
  echoEmptyGroups: false,
};

/** The profiles by `SessionBehaviour` value. */
export const SESSION_BEHAVIOURS: Readonly<Record<SessionBehaviourName, SessionBehaviour>> = {
  quickfix: QUICKFIX_BEHAVIOUR,
  quickfixj: QUICKFIXJ_BEHAVIOUR,
};

/** The profile of a `SessionBehaviour` value (any case; absent: QuickFIX C++). */
export function sessionBehaviour(name: string | undefined): SessionBehaviour {
  const key = (name ?? 'quickfix').toLowerCase();
  return key === 'quickfixj' ? QUICKFIXJ_BEHAVIOUR : QUICKFIX_BEHAVIOUR;
}

/** Text(58) for a SessionRejectReason under a profile. */
export function behaviourRejectText(b: SessionBehaviour, reason: number): string {
  return b.rejectTexts[reason] ?? rejectText(reason);
}
