/** The cluster store for a node's settings: the PostgreSQL database the sessions share, else the shared directory. */
import { ClusterDirectory } from './cluster-directory.js';
import type { ClusterConfig } from './config.js';
import type { ClusterStore } from './cluster-store.js';
import { PostgresClusterStore } from './postgres-cluster-store.js';

/**
 * Opens the store a cluster member keeps its state in (see `ClusterStore`). `readOnly`: for an
 * operator's look (`fixover cluster status`), which removes nothing, not even lapsed members.
 */
export function openClusterStore(config: Pick<ClusterConfig, 'cluster' | 'dir' | 'postgres'>, o: { readOnly?: boolean } = {}): ClusterStore {
  return config.postgres ? new PostgresClusterStore(config.postgres, config.cluster, !o.readOnly) : new ClusterDirectory(config.dir);
}
