/**
 * The Grafana dashboard and the Prometheus alert rules under docs/ use only metrics the interface
 * serves (a renamed metric would leave a panel or an alert silently empty).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Engine, type SessionSettingsRecord } from '../../src/engine/index.js';
import { EngineMetrics } from '../../src/admin/index.js';

const doc = (path: string): string => readFileSync(new URL(`../../docs/${path}`, import.meta.url), 'utf8');

async function servedNames(): Promise<Set<string>> {
  const settings: SessionSettingsRecord = { BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'CLIENT', ConnectionType: 'acceptor', SocketAcceptPort: '0', UseDataDictionary: 'N' };
  const engine = await Engine.create([settings], () => ({}));
  const text = await new EngineMetrics(engine).text();
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(m[1]);
    if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m[1] + s);
  }
  return names;
}

const used = (text: string): string[] => [...new Set(text.match(/\b(fixover|process|nodejs)_[a-z0-9_]+\b/g) ?? [])];

test('every metric of the Grafana dashboard and the alert rules is served by /metrics', async () => {
  const served = await servedNames();
  const dashboard = doc('grafana/fixover-dashboard.json');
  const parsed = JSON.parse(dashboard) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
  const exprs = parsed.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
  assert.ok(exprs.length >= 20);
  const alerts = doc('prometheus-alerts.yml');
  for (const name of ['FixSessionDownInSchedule', 'FixSequenceGap', 'FixStoreFault', 'FixFenced', 'FixReconnectStorm', 'FixTlsCertificateExpiringSoon']) assert.match(alerts, new RegExp(`alert: ${name}\\n`));
  const missing = [...used(exprs.join('\n')), ...used(alerts)].filter((n) => !served.has(n));
  assert.deepEqual(missing, []);
});
