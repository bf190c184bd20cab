/** The cluster store for a node's settings: the PostgreSQL database the sessions share, else the shared directory. */
import { ClusterDirectory } from './cluster-directory.js';
import type { ClusterConfig } from './config.js';
import type { ClusterStore } from './cluster-store.js';
import { PostgresClusterStore } from './postgres-cluster-store.js';

/** Opens the store a cluster member keeps its state in (see `ClusterStore`). */
export function openClusterStore(config: Pick<ClusterConfig, 'cluster' | 'dir' | 'postgres'>): ClusterStore {
  return config.postgres ? new PostgresClusterStore(config.postgres, config.cluster) : new ClusterDirectory(config.dir);
}
