/**
 * The membership message of static and multicast discovery (pure): one JSON object in one UDP
 * datagram (multicast) or one line over TCP (static probes). Parsing never throws: anything that
 * is not a well-formed message is refused with what is wrong, and the caller counts and ignores it.
 *
 * ```json
 * {"fixover":"member","v":1,"kind":"announce","cluster":"c","node":"A","incarnation":1765000000000,
 *  "seq":7,"uris":["tcp://a:9877"],"state":"active","sessions":["FIX.4.2:EXEC->BANZAI"],"weight":1,
 *  "leaseMs":5000,"inStateMs":1234}
 * ```
 *
 * With a shared secret (`ClusterSecretFile`) the JSON is followed by a space and the hex
 * HMAC-SHA256 of the JSON bytes under the secret; a message without it, or with a wrong one, is
 * refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MemberRecord, MemberState } from './membership.js';
import { CLUSTER_LEASE_RANGE, CLUSTER_WEIGHT_RANGE } from '../config/setting-names.js';

/** `announce`: I am here (multicast); `probe`/`answer`: the two halves of a static probe; `leave`: I stop now. */
export type AnnouncementKind = 'announce' | 'probe' | 'answer' | 'leave';

/**
 * One member's message about itself: the fields of its member record that the others need (the
 * cluster name lets a message of another cluster be ignored), and what orders its messages.
 */
export interface Announcement extends Pick<MemberRecord, 'cluster' | 'node' | 'uris' | 'state' | 'sessions' | 'weight' | 'leaseMs'> {
  readonly kind: AnnouncementKind;
  /** When the sending process started (ms): a restarted node's messages supersede its old ones. */
  readonly incarnation: number;
  /** Grows with every message of one incarnation: an older message arriving late is ignored. */
  readonly seq: number;
  /** How long the sender has been in `state` (ms; its own clock, so no clock needs to agree). */
  readonly inStateMs: number;
}

/** The largest message accepted or sent over TCP; a UDP datagram is at most `MAX_DATAGRAM`. */
export const MAX_MESSAGE = 1 << 20;
/** The largest UDP datagram sent (IPv4 payload limit, less headroom). */
export const MAX_DATAGRAM = 65_000;

const KINDS: readonly string[] = ['announce', 'probe', 'answer', 'leave'];
const STATES: readonly string[] = ['joining', 'active', 'draining'];

const MAC_HEX = 64;
const mac = (secret: Buffer, body: Buffer): Buffer => Buffer.from(createHmac('sha256', secret).update(body).digest('hex'), 'latin1');

/** The message as bytes (JSON, UTF-8), signed when there is a secret. */
export function encodeAnnouncement(a: Announcement, secret?: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify({ fixover: 'member', v: 1, ...a }), 'utf8');
  return secret ? Buffer.concat([json, Buffer.from(' '), mac(secret, json)]) : json;
}

/** The JSON part of a signed message, or what is wrong with the signature. */
function verified(bytes: Buffer, secret: Buffer): Buffer | { readonly problem: string } {
  const at = bytes.length - MAC_HEX - 1;
  if (at < 1 || bytes[at] !== 0x20 || !/^[0-9a-f]+$/.test(bytes.subarray(at + 1).toString('latin1'))) return { problem: 'not signed (ClusterSecretFile is set here, not on the sender?)' };
  const body = bytes.subarray(0, at);
  return timingSafeEqual(bytes.subarray(at + 1), mac(secret, body)) ? body : { problem: 'wrong signature (another ClusterSecretFile secret?)' };
}

const isStrings = (x: unknown, max: number): x is string[] => Array.isArray(x) && x.length <= max && x.every((s) => typeof s === 'string' && s.length <= 1024);
const isCount = (x: unknown, min = 0): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= min;

/** A message from bytes (checking the signature when there is a secret), or what is wrong with them (never throws). */
export function parseAnnouncement(bytes: Buffer, secret?: Buffer): Announcement | { readonly problem: string } {
  if (bytes.length > MAX_MESSAGE) return { problem: `${bytes.length} bytes, more than ${MAX_MESSAGE}` };
  let json = bytes;
  if (secret) {
    const v = verified(bytes, secret);
    if ('problem' in v) return v;
    json = v;
  }
  let x: unknown;
  try {
    x = JSON.parse(json.toString('utf8'));
  } catch {
    return { problem: !secret && /^\{.*\} [0-9a-f]{64}$/s.test(bytes.toString('latin1')) ? 'signed (ClusterSecretFile is set on the sender, not here?)' : 'not JSON' };
  }
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return { problem: 'not a JSON object' };
  const o = x as Record<string, unknown>;
  if (o.fixover !== 'member') return { problem: 'not a fixover membership message' };
  if (o.v !== 1) return { problem: `version ${JSON.stringify(o.v)}, expected 1` };
  if (typeof o.kind !== 'string' || !KINDS.includes(o.kind)) return { problem: `kind ${JSON.stringify(o.kind)}` };
  if (typeof o.cluster !== 'string' || o.cluster.length > 1024) return { problem: 'no cluster name' };
  if (typeof o.node !== 'string' || o.node === '' || o.node.length > 1024) return { problem: 'no node name' };
  if (!isCount(o.incarnation) || !isCount(o.seq)) return { problem: 'no incarnation or sequence number' };
  if (!isStrings(o.uris, 64)) return { problem: 'uris is not a list of strings' };
  if (typeof o.state !== 'string' || !STATES.includes(o.state)) return { problem: `state ${JSON.stringify(o.state)}` };
  if (!isStrings(o.sessions, 1_000_000)) return { problem: 'sessions is not a list of strings' };
  if (!isCount(o.weight, CLUSTER_WEIGHT_RANGE[0]) || o.weight > CLUSTER_WEIGHT_RANGE[1]) return { problem: `weight is not an integer from ${CLUSTER_WEIGHT_RANGE[0]} to ${CLUSTER_WEIGHT_RANGE[1]}` };
  if (!isCount(o.leaseMs, CLUSTER_LEASE_RANGE[0]) || o.leaseMs > CLUSTER_LEASE_RANGE[1]) return { problem: `leaseMs is not an integer from ${CLUSTER_LEASE_RANGE[0]} to ${CLUSTER_LEASE_RANGE[1]}` };
  if (!isCount(o.inStateMs)) return { problem: 'inStateMs is not a non-negative integer' };
  return {
    kind: o.kind as AnnouncementKind,
    cluster: o.cluster,
    node: o.node,
    incarnation: o.incarnation,
    seq: o.seq,
    uris: o.uris,
    state: o.state as MemberState,
    sessions: o.sessions,
    weight: o.weight,
    leaseMs: o.leaseMs,
    inStateMs: o.inStateMs,
  };
}
