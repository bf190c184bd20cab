/**
 * The process's own metrics at each `HttpProcessMetrics` level (src/admin/process-metrics.ts):
 * `basic` serves what is read when scraped, without the collectors that run all the time (GC
 * observer, event-loop delay sampler); `full` is prom-client's whole default set; `off` none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, type SessionSettingsRecord } from '../../src/engine/index.js';
import { EngineMetrics, type ProcessMetricsLevel } from '../../src/admin/index.js';

const settings: SessionSettingsRecord = { BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'CLIENT', ConnectionType: 'acceptor', SocketAcceptPort: '0', UseDataDictionary: 'N' };

async function names(level: ProcessMetricsLevel | undefined): Promise<{ names: Set<string>; text: string }> {
  const engine = await Engine.create([settings], () => ({}));
  const text = await new EngineMetrics(engine, level === undefined ? {} : { processMetrics: level }).text();
  return { names: new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1])), text };
}

const SCRAPE_TIME = ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'process_open_fds', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_heap_space_size_used_bytes', 'nodejs_active_handles_total', 'nodejs_version_info'];

test('basic (the default): CPU, memory, heap, descriptors, handles, version and the event loop read when scraped; no GC observer or delay sampler', async () => {
  const { names: n, text } = await names(undefined);
  for (const name of [...SCRAPE_TIME, 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_utilization_ratio']) assert.ok(n.has(name), `${name} missing`);
  assert.ok(!n.has('nodejs_gc_duration_seconds'));
  assert.ok(!n.has('nodejs_eventloop_lag_p99_seconds'));
  const util = Number(/^nodejs_eventloop_utilization_ratio (\S+)$/m.exec(text)?.[1]);
  assert.ok(util >= 0 && util <= 1, `utilization ${util}`);
  assert.ok(Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)?.[1]) > 1e6);
});

test('full: prom-client\'s whole default set, with GC durations and event-loop delay percentiles', async () => {
  const { names: n } = await names('full');
  for (const name of [...SCRAPE_TIME, 'nodejs_gc_duration_seconds', 'nodejs_eventloop_lag_p99_seconds']) assert.ok(n.has(name), `${name} missing`);
});

test('off: no process metrics, the sessions\' still', async () => {
  const { names: n } = await names('off');
  assert.ok(![...n].some((x) => x.startsWith('process_') || x.startsWith('nodejs_')), [...n].join(' '));
  assert.ok(n.has('fixover_messages_received_total') || [...n].some((x) => x.startsWith('fixover_')));
});
