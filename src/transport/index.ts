/**
 * The failover transport for initiators: `failover:(…)` URIs with ActiveMQ's options, the
 * QuickFIX alternate-address settings expressed as the same configuration, and the sans-I/O
 * policy that decides where and when to connect.
 */
export { MIN_STANDBY_COOLDOWN_MS, DEFAULT_FETCH_URIS_TIMEOUT_MS } from './failover-policy.js';
export type { FailoverCommand, FailoverEvent, FailoverPhase, PolicyOutput, PolicyStateName, SendId } from './policy-types.js';
export { failoverConfig, FAILOVER_DEFAULTS, type FailoverConfig, type FailoverConfigInit } from './failover-config.js';
export { parseFailoverUri, isFailoverUri } from './failover-uri.js';
export { FAILOVER_OPTIONS, FAILOVER_OPTION_NAMES } from './failover-options.js';
export { endpointOptionValues, type EndpointOptionValues } from './endpoint-options.js';
export { parseEndpointUri, parseEndpointList, tcpEndpoint, canonicalUri, type FailoverEndpoint } from './endpoint.js';
export type { DelayStep, JitterMode } from './delays.js';
export type { RandomSource } from './random.js';
export { failoverConfigFromSettings, quickfixFailoverConfig, endpointsFromSettings, parseReconnectInterval, SOCKET_CONNECT_URI } from './quickfix-settings.js';
export { FailoverUriError, FailoverSettingsError } from './errors.js';
export { AddressRanges, AddressRangeError, ADDRESS_RANGES_EXPECTED } from './address-ranges.js';
export { TlsContext, TlsReloadError, type CertificateInfo, type TlsFailure } from './tls.js';
export {
  tlsSettingsFrom,
  tlsRequested,
  ignoredTlsMaterial,
  opensslCipherName,
  TlsSettingsError,
  TLS_VERSIONS,
  TLS_SETTING_NAMES,
  TLS_MATERIAL_SETTINGS,
  COMP_ID_BINDINGS,
  type TlsSettings,
  type TlsVersion,
  type CompIdBinding,
  type KeyMaterial,
  type SettingFile,
} from './tls-settings.js';
export { compIdBindingProblem, certificateNames, type PeerCertificateNames } from './cert-identity.js';
