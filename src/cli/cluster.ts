/** `fixover cluster status <settings>`: a cluster's members, epoch, coordinator, moves and who holds each session. */
import { clusterConfigFrom } from '../cluster/config.js';
import { formatClusterStatus, readClusterStatus } from '../cluster/status.js';
import { readSettings } from './run.js';
import { openClusterStore } from '../cluster/open-cluster-store.js';
import { liveMembers } from '../cluster/membership.js';

/**
 * `fixover drain <settings>`: asks the running node of these settings (its NodeName) to drain,
 * through a request in the shared store; waits until the node left the cluster (or `waitMs`).
 * Returns the line to print; throws (exit 1) when the node is still a member after `waitMs`.
 */
export async function drainNode(file: string, waitMs = 120_000): Promise<string> {
  let settings;
  try {
    settings = readSettings(file);
  } catch (e) {
    throw Object.assign(e as Error, { exitCode: 2, printed: true });
  }
  const config = clusterConfigFrom(settings.sessions.map((s) => s.toRecord()));
  if (!config) throw Object.assign(new Error(`${file}: no acceptor session is a cluster member (set ClusterName, UpdateClusterClients=Y or RebalanceClusterClients=Y)`), { exitCode: 2 });
  if (!settings.sessions.some((s) => s.get('NodeName') !== undefined)) throw Object.assign(new Error(`${file}: NodeName is not set, so the node to drain cannot be named`), { exitCode: 2 });
  const files = openClusterStore(config);
  try {
    const member = async (): Promise<boolean> => liveMembers((await files.members()).records, config.cluster, Date.now()).some((m) => m.node === config.node);
    if (!(await member())) throw Object.assign(new Error(`node ${config.node} is not a live member of cluster ${config.cluster}`), { exitCode: 1 });
    await files.create();
    await files.requestDrain(config.node);
    const t0 = Date.now();
    while (await member()) {
      if (Date.now() - t0 > waitMs) throw Object.assign(new Error(`node ${config.node} still a member after ${waitMs} ms`), { exitCode: 1 });
      await new Promise((r) => setTimeout(r, 100));
    }
    return `node ${config.node} drained and left cluster ${config.cluster}\n`;
  } finally {
    await files.close();
  }
}

export async function clusterStatus(file: string, now: () => number = Date.now): Promise<string> {
  let settings;
  try {
    settings = readSettings(file);
  } catch (e) {
    throw Object.assign(e as Error, { exitCode: 2, printed: true });
  }
  const records = settings.sessions.map((s) => s.toRecord());
  // A relative FileStorePath is read from the working directory, as the nodes do.
  const config = clusterConfigFrom(records);
  if (!config) throw Object.assign(new Error(`${file}: no acceptor session is a cluster member (set ClusterName, UpdateClusterClients=Y or RebalanceClusterClients=Y)`), { exitCode: 2 });
  const sessions = settings.sessions.filter((s) => (s.get('ConnectionType') ?? '').toLowerCase() === 'acceptor').map((s) => ({ id: s.id.toString(), prefix: s.id.filePrefix }));
  const files = openClusterStore(config, { readOnly: true });
  try {
    return formatClusterStatus(await readClusterStatus(files, config.cluster, sessions), now());
  } finally {
    await files.close();
  }
}
