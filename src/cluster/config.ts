/**
 * A node's cluster configuration from its acceptor sessions' settings (docs/cluster.md). The
 * settings parser has checked each value; here the sessions of one process must agree, since a
 * node is one member.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { FixoverError } from '../codec/errors.js';
import type { RebalanceOptions } from './rebalance.js';
import type { PostgresDatabaseOptions } from '../store/postgres-database.js';
import { postgresOptionsFrom } from '../store/postgres-settings.js';
import { clusterFilter } from './membership.js';
import { parseDiscovery, parseTcpUri, type DiscoverySpec, type HostPort } from './discovery-uri.js';

/** Cluster settings that disagree between the sessions of one process, or cannot be used. */
export class ClusterSettingsError extends FixoverError {
  override readonly code = 'CLUSTER_SETTINGS';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
  }
}

/** The shortest secret `ClusterSecretFile` may hold (characters, after trimming). */
export const CLUSTER_SECRET_MIN = 16;

/**
 * The secret in a `ClusterSecretFile` (its content less surrounding white space).
 * @throws ClusterSettingsError when it cannot be read or is shorter than CLUSTER_SECRET_MIN
 */
export function readClusterSecret(path: string): Buffer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new ClusterSettingsError('ClusterSecretFile', `cannot read ${path}: ${(e as Error).message}`);
  }
  if (text.length < CLUSTER_SECRET_MIN) throw new ClusterSettingsError('ClusterSecretFile', `${path} holds ${text.length} character(s); a secret needs at least ${CLUSTER_SECRET_MIN} (e.g. openssl rand -hex 32 > ${path})`);
  return Buffer.from(text, 'utf8');
}

/** A node's cluster settings, checked and with their defaults (docs/cluster.md, Settings). */
export interface ClusterConfig {
  readonly cluster: string;
  readonly node: string;
  /** `<FileStorePath>/cluster/<ClusterName>` (empty with a PostgreSQL store). */
  readonly dir: string;
  /** The PostgreSQL database the sessions share (`PostgreSQLStore*`): the cluster keeps its state there instead of `dir`. */
  readonly postgres?: PostgresDatabaseOptions;
  readonly uris: readonly string[];
  /** `ClusterDiscovery`: how members learn of each other. */
  readonly discovery: DiscoverySpec;
  /** `ClusterProbeListen`: where this node answers probes (static discovery). */
  readonly probeListen: HostPort | undefined;
  /** `ClusterSecretFile`'s secret: static and multicast messages are signed and checked with it. */
  readonly secret: Buffer | undefined;
  readonly leaseMs: number;
  readonly weight: number;
  readonly updateClients: boolean;
  readonly updateClientsOnRemove: boolean;
  readonly filter: readonly RegExp[];
  readonly rebalance: boolean;
  readonly planner: RebalanceOptions;
  readonly jitterMs: number;
  readonly quietMs: number;
  readonly deadlineMs: number;
  /** `DrainDeadline`: a draining node stops at the latest this long after the drain began (ms). */
  readonly drainDeadlineMs: number;
  /** How long a handed-over session is reserved for its target (2 × SessionLeaseTimeout). */
  readonly reserveMs: number;
  /** `SessionLeaseTimeout` in milliseconds (pushed to clients with the topology). */
  readonly sessionLeaseMs: number;
}

const SHARED = [
  'ClusterName',
  'NodeName',
  'FileStorePath',
  'PostgreSQLStoreURL',
  'PostgreSQLStoreDatabase',
  'PostgreSQLStoreHost',
  'PostgreSQLStorePort',
  'PostgreSQLStoreUser',
  'PostgreSQLStorePassword',
  'PostgreSQLStoreSchema',
  'ClusterAdvertisedURI',
  'ClusterDiscovery',
  'ClusterProbeListen',
  'ClusterSecretFile',
  'ClusterLeaseTimeout',
  'ClusterWeight',
  'UpdateClusterClients',
  'UpdateClusterClientsOnRemove',
  'UpdateClusterFilter',
  'RebalanceClusterClients',
  'RebalanceInterval',
  'RebalanceMaxMoves',
  'RebalanceJitter',
  'RebalanceMinStay',
  'RebalanceSettle',
  'RebalanceQuietInterval',
  'RebalanceDeadline',
  'SessionLeaseTimeout',
  'DrainGracePeriod',
  'DrainDeadline',
];

const isMember = (s: Record<string, string>): boolean => s.ClusterName !== undefined || s.UpdateClusterClients === 'Y' || s.RebalanceClusterClients === 'Y';

/**
 * The cluster configuration of a process (undefined when it is not a member). `ports` are the
 * bound listening ports (the default advertised URIs); `baseDir` the settings file's folder
 * (`ClusterSecretFile` is relative to it).
 * @throws ClusterSettingsError when acceptor sessions disagree on a cluster setting
 */
export function clusterConfigFrom(sessions: readonly Record<string, string>[], ports: readonly number[] = [], baseDir = process.cwd()): ClusterConfig | undefined {
  const acceptors = sessions.filter((s) => (s.ConnectionType ?? 'acceptor').toLowerCase() === 'acceptor');
  const members = acceptors.filter(isMember);
  if (members.length === 0) return undefined;
  const s = members[0];
  for (const other of acceptors) {
    for (const name of SHARED) {
      if (other[name] !== s[name]) throw new ClusterSettingsError(name, `every acceptor session of a cluster member must have the same value ("${s[name] ?? '(unset)'}" and "${other[name] ?? '(unset)'}"); set it in [DEFAULT]`);
    }
  }
  const postgres = postgresOptionsFrom(s);
  if (!s.FileStorePath && !postgres) throw new ClusterSettingsError('FileStorePath', 'a cluster member needs a shared store: a directory (FileStorePath) or a PostgreSQL database (PostgreSQLStoreURL, PostgreSQLStoreDatabase or PostgreSQLStoreHost)');
  const discovery = parseDiscovery(s.ClusterDiscovery ?? 'store');
  if (typeof discovery === 'string') throw new ClusterSettingsError('ClusterDiscovery', discovery);
  const listen = s.ClusterProbeListen === undefined ? undefined : parseTcpUri(s.ClusterProbeListen);
  if (typeof listen === 'string') throw new ClusterSettingsError('ClusterProbeListen', listen);
  if (discovery.kind === 'static' && listen === undefined) throw new ClusterSettingsError('ClusterDiscovery', 'static discovery needs ClusterProbeListen=tcp://host:port');
  const num = (name: string, dflt: number): number => (s[name] === undefined ? dflt : Number(s[name]));
  const cluster = s.ClusterName ?? 'default';
  const host = s.SocketAcceptAddress && s.SocketAcceptAddress !== '0.0.0.0' && s.SocketAcceptAddress !== '::' ? s.SocketAcceptAddress : hostname();
  const uris = s.ClusterAdvertisedURI
    ? s.ClusterAdvertisedURI.split(',').map((u) => u.trim())
    : [...new Set(ports)].map((p) => `tcp://${host.includes(':') ? `[${host}]` : host}:${p}`);
  return {
    cluster,
    node: s.NodeName ?? `${hostname()}:${process.pid}`,
    dir: s.FileStorePath ? join(resolve(s.FileStorePath), 'cluster', encodeURIComponent(cluster)) : '',
    ...(postgres ? { postgres } : {}),
    uris,
    discovery,
    probeListen: listen,
    secret: s.ClusterSecretFile && discovery.kind !== 'store' ? readClusterSecret(resolve(baseDir, s.ClusterSecretFile)) : undefined,
    leaseMs: num('ClusterLeaseTimeout', 5000),
    weight: num('ClusterWeight', 1),
    updateClients: s.UpdateClusterClients === 'Y',
    updateClientsOnRemove: s.UpdateClusterClientsOnRemove === 'Y',
    filter: clusterFilter(s.UpdateClusterFilter),
    rebalance: s.RebalanceClusterClients === 'Y',
    planner: { intervalMs: num('RebalanceInterval', 2000), maxMoves: num('RebalanceMaxMoves', 10), minStayMs: num('RebalanceMinStay', 60_000), settleMs: num('RebalanceSettle', 2000), drainGraceMs: num('DrainGracePeriod', 1000) },
    drainDeadlineMs: num('DrainDeadline', 60_000),
    jitterMs: num('RebalanceJitter', 500),
    quietMs: num('RebalanceQuietInterval', 200),
    deadlineMs: num('RebalanceDeadline', 5000),
    reserveMs: 2 * Math.round(num('SessionLeaseTimeout', 5) * 1000),
    sessionLeaseMs: Math.round(num('SessionLeaseTimeout', 5) * 1000),
  };
}
