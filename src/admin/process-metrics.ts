/**
 * The process's own metrics (`process_*`, `nodejs_*`), through prom-client, at one of three levels
 * (setting `HttpProcessMetrics`):
 * - `basic` (the default): CPU, memory, heap and heap spaces, file descriptors, handles and
 *   resources, start time, version; the event loop's lag measured when scraped and its
 *   utilization since the previous scrape. Nothing runs between scrapes.
 * - `full`: prom-client's complete default set, which adds a garbage-collection duration histogram
 *   (an observer called at every collection) and event-loop delay percentiles (a timer sampling
 *   every 10 ms). Both work all the time, not only when scraped: at 150,000 messages a second they
 *   cost several per cent of a node's throughput (`npm run bench:session`).
 * - `off`: none.
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';

/** Which process metrics an engine's `/metrics` serves (setting `HttpProcessMetrics`). */
export type ProcessMetricsLevel = 'basic' | 'full' | 'off';

/** The values of the `HttpProcessMetrics` setting. */
export const PROCESS_METRICS_LEVELS: readonly ProcessMetricsLevel[] = ['basic', 'full', 'off'];

/** prom-client's collectors read only when scraped (its default set less `gc` and `eventLoopLag`). */
const SCRAPE_TIME_COLLECTORS = [
  'processCpuTotal',
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'processResources',
  'processHandles',
  'processRequests',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
];

type Collector = (registry: Registry, config: object) => void;

/** Registers the process metrics of `level` on `registry`. */
export function registerProcessMetrics(registry: Registry, level: ProcessMetricsLevel): void {
  if (level === 'off') return;
  if (level === 'full') {
    collectDefaultMetrics({ register: registry });
    return;
  }
  const load = createRequire(import.meta.url);
  for (const name of SCRAPE_TIME_COLLECTORS) {
    if (name === 'processResources' && typeof process.getActiveResourcesInfo !== 'function') continue;
    (load(`prom-client/lib/metrics/${name}.js`) as Collector)(registry, {});
  }
  new Gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: 'Lag of the event loop in seconds, measured when scraped (how long an immediate callback waited)',
    registers: [registry],
    async collect() {
      const t0 = performance.now();
      await new Promise((resolve) => setImmediate(resolve));
      this.set((performance.now() - t0) / 1000);
    },
  });
  let last = performance.eventLoopUtilization();
  new Gauge({
    name: 'nodejs_eventloop_utilization_ratio',
    help: 'Share of the time since the previous scrape that the event loop was busy (0 to 1)',
    registers: [registry],
    collect() {
      const now = performance.eventLoopUtilization();
      this.set(performance.eventLoopUtilization(now, last).utilization);
      last = now;
    },
  });
}
