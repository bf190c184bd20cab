/** `fixover cluster status <settings>`: a cluster's members, epoch, coordinator, moves and who holds each session. */
import { resolve } from 'node:path';
import { clusterConfigFrom } from '../cluster/config.js';
import { formatClusterStatus, readClusterStatus } from '../cluster/status.js';
import { readSettings } from './run.js';

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
  const storeDir = resolve(records.find((r) => r.FileStorePath)!.FileStorePath);
  const sessions = settings.sessions.filter((s) => (s.get('ConnectionType') ?? '').toLowerCase() === 'acceptor').map((s) => ({ id: s.id.toString(), prefix: s.id.filePrefix }));
  return formatClusterStatus(await readClusterStatus(config.cluster, config.dir, storeDir, sessions), now());
}
