/**
 * The HTTP interface's options from settings (checked by the settings parser, one value for the
 * whole process): `HttpAcceptPort` turns it on, `HttpAcceptAddress` (default 127.0.0.1),
 * `HttpAdminToken` or `HttpAdminTokenFile` (relative to the settings file's folder), and HTTPS with
 * `HttpCertificateFile`/`HttpCertificateKeyFile` (PEM, relative to the same folder), and which
 * process metrics `/metrics` serves (`HttpProcessMetrics`: basic, full or off).
 */
import { resolve } from 'node:path';
import { readAdminTokenFile, readHttpTls } from '../config/http-settings.js';
import { SettingsApplyError, type SessionSettings } from '../engine/from-settings.js';
import type { AdminServerOptions } from './server.js';
import type { ProcessMetricsLevel } from './process-metrics.js';

/** The interface's options, or undefined when `HttpAcceptPort` is not set. */
export function adminOptionsFrom(settings: readonly SessionSettings[], baseDir: string): AdminServerOptions | undefined {
  const s = settings[0];
  if (!s?.HttpAcceptPort) return undefined;
  let token = s.HttpAdminToken;
  if (s.HttpAdminTokenFile) {
    try {
      token = readAdminTokenFile(resolve(baseDir, s.HttpAdminTokenFile));
    } catch (e) {
      throw new SettingsApplyError('HttpAdminTokenFile', e instanceof Error ? e.message : String(e));
    }
  }
  let tls: AdminServerOptions['tls'];
  if (s.HttpCertificateFile || s.HttpCertificateKeyFile) {
    if (!s.HttpCertificateFile || !s.HttpCertificateKeyFile) throw new SettingsApplyError(s.HttpCertificateFile ? 'HttpCertificateKeyFile' : 'HttpCertificateFile', 'expected both HttpCertificateFile and HttpCertificateKeyFile for HTTPS');
    try {
      tls = readHttpTls(s.HttpCertificateFile, s.HttpCertificateKeyFile, s.HttpCertificateKeyPassword, baseDir);
    } catch (e) {
      throw new SettingsApplyError((e as { setting?: string }).setting ?? 'HttpCertificateFile', e instanceof Error ? e.message : String(e));
    }
  }
  const processMetrics = (s.HttpProcessMetrics ?? 'basic') as ProcessMetricsLevel;
  return { port: Number(s.HttpAcceptPort), host: s.HttpAcceptAddress ?? '127.0.0.1', token, processMetrics, ...(tls ? { tls } : {}) };
}
