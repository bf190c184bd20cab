/** Checks a setting's value against its kind; returns what is valid when it is not. */
import type { SettingSpec } from './setting-names.js';
import { parseDay, parseTimeOfDay } from '../session/schedule.js';
import { APPL_VER_IDS } from '../session/options.js';
import { discoveryProblem, parseTcpUri } from '../cluster/discovery-uri.js';
import { AddressRangeError, AddressRanges, ADDRESS_RANGES_EXPECTED } from '../transport/address-ranges.js';

/** Null when valid, else a description of the valid values. */
export function checkValue(spec: SettingSpec, value: string): string | null {
  if (spec.range) return inRange(value, spec.range) ? null : `an integer from ${spec.range[0]} to ${spec.range[1]}`;
  switch (spec.kind) {
    case 'bool':
      return value === 'Y' || value === 'N' ? null : 'Y or N';
    case 'int':
      return /^-?\d+$/.test(value) ? null : 'an integer';
    case 'posint':
      return /^\d+$/.test(value) && Number(value) > 0 ? null : 'a positive integer';
    case 'nonneg':
      return /^\d+$/.test(value) ? null : 'a non-negative integer';
    case 'number':
      return /^\d+(\.\d+)?$/.test(value) ? null : 'a non-negative number';
    case 'string':
    case 'path':
      return null;
    case 'pg-url':
      return validPostgresUrl(value) ? null : 'a URL postgres://user:password@host:port/database';
    case 'addresses':
      return addressRangesProblem(value);
    case 'uri-list':
      return uriListProblem(value);
    case 'regex-list':
      return regexListProblem(value);
    case 'discovery':
      return discoveryProblem(value);
    case 'tcp-uri': {
      const p = parseTcpUri(value);
      return typeof p === 'string' ? `tcp://host:port (port 1 to 65535); ${p}` : null;
    }
    case 'time':
      return parseTimeOfDay(value) ? null : 'a time of day HH:MM:SS, optionally followed by a time zone (e.g. 08:00:00 America/New_York)';
    case 'day':
      return parseDay(value) !== null ? null : 'a day of the week (Monday, mon, …)';
    case 'days':
      return value.split(',').every((d) => parseDay(d) !== null) ? null : 'a comma-separated list of days (e.g. Mon,Tue,Wed)';
    case 'reconnect':
      return value.split(';').every((p) => /^\s*(\d+x)?\d+\s*$/.test(p)) ? null : 'seconds, or a list such as 3x5;10x30;60';
    case 'logon-tag':
      return /^\d+=.*$/.test(value) ? null : '<tag>=<value> with a positive integer tag';
    case 'enum':
      return spec.values!.some((v) => v.toLowerCase() === value.toLowerCase()) ? null : spec.values!.join(', ');
    case 'begin-string':
      return spec.values!.includes(value) ? null : spec.values!.join(', ');
    case 'appl-ver-id':
      return value in APPL_VER_IDS || Object.values(APPL_VER_IDS).includes(value) ? null : `${Object.keys(APPL_VER_IDS).join(', ')} or their enum values 0-9`;
  }
}

/** Null when every entry is an address or a CIDR range, else which entry is wrong and what is valid. */
function addressRangesProblem(value: string): string | null {
  try {
    AddressRanges.parse(value);
    return null;
  } catch (e) {
    if (!(e instanceof AddressRangeError)) throw e;
    return `${ADDRESS_RANGES_EXPECTED}; ${e.message}`;
  }
}

/** `ClusterAdvertisedURI`: comma-separated tcp://host:port URIs. */
function uriListProblem(value: string): string | null {
  const bad = value.split(',').map((u) => u.trim()).find((u) => !/^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.test(u) || Number(u.slice(u.lastIndexOf(':') + 1)) < 1 || Number(u.slice(u.lastIndexOf(':') + 1)) > 65535);
  return bad === undefined ? null : `comma-separated tcp://host:port URIs (port 1 to 65535); "${bad}" is not one`;
}

/** `UpdateClusterFilter`: comma-separated regular expressions on node names. */
function regexListProblem(value: string): string | null {
  for (const r of value.split(',')) {
    try {
      new RegExp(`^(?:${r.trim()})$`);
    } catch (e) {
      return `comma-separated regular expressions on node names; "${r.trim()}" is not one (${(e as Error).message})`;
    }
  }
  return null;
}

function inRange(value: string, [min, max]: readonly [number, number]): boolean {
  return /^-?\d+$/.test(value) && Number(value) >= min && Number(value) <= max;
}

function validPostgresUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'postgres:' || u.protocol === 'postgresql:';
  } catch {
    return false;
  }
}
