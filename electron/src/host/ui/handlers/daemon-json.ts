// Checks a daemon.json before it is saved, so a typo does not keep the engine from starting. Types follow
// dockerd's configuration file reference; keys this table does not know are let through (dockerd decides).
import type { DaemonJsonCheck } from '../../../shared/types.js';

type Kind = 'string' | 'boolean' | 'number' | 'string[]' | 'object';

const KNOWN: Record<string, Kind> = {
  'registry-mirrors': 'string[]',
  'insecure-registries': 'string[]',
  'allow-nondistributable-artifacts': 'string[]',
  'debug': 'boolean',
  'experimental': 'boolean',
  'live-restore': 'boolean',
  'ipv6': 'boolean',
  'iptables': 'boolean',
  'ip-forward': 'boolean',
  'log-level': 'string',
  'log-driver': 'string',
  'log-opts': 'object',
  'data-root': 'string',
  'exec-root': 'string',
  'bip': 'string',
  'bridge': 'string',
  'default-runtime': 'string',
  'runtimes': 'object',
  'dns': 'string[]',
  'dns-search': 'string[]',
  'dns-opts': 'string[]',
  'labels': 'string[]',
  'default-address-pools': 'object',
  'features': 'object',
  'builder': 'object',
  'max-concurrent-downloads': 'number',
  'max-concurrent-uploads': 'number',
  'max-download-attempts': 'number',
  'shutdown-timeout': 'number',
  'mtu': 'number',
};

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'];

function kindOf(v: unknown): Kind | 'other' {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return 'number';
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string') ? 'string[]' : 'other';
  if (v && typeof v === 'object') return 'object';
  return 'other';
}

/** `reserved`: keys this host sets itself (key → where to change it instead), refused in the file. */
export function checkDaemonJson(text: string, reserved: Record<string, string> = {}): DaemonJsonCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim() === '' ? '{}' : text);
  } catch (err) {
    return { ok: false, errors: [`not valid JSON: ${(err as Error).message}`] };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, errors: ['daemon.json must be a JSON object ({ … })'] };
  }
  const errors: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (Object.hasOwn(reserved, key)) {
      errors.push(`"${key}" is set by Berth, not here: ${reserved[key]}`);
      continue;
    }
    const want = KNOWN[key];
    if (!want) continue;
    const got = kindOf(value);
    if (got !== want && !(want === 'object' && got === 'string[]' && key === 'default-address-pools')) {
      errors.push(`"${key}" must be ${want === 'string[]' ? 'a list of strings' : `a ${want}`}`);
    }
  }
  const level = (parsed as Record<string, unknown>)['log-level'];
  if (typeof level === 'string' && !LOG_LEVELS.includes(level)) errors.push(`"log-level" must be one of ${LOG_LEVELS.join(', ')}`);
  for (const key of ['registry-mirrors'] as const) {
    const list = (parsed as Record<string, unknown>)[key];
    if (!Array.isArray(list)) continue;
    for (const m of list) {
      if (typeof m === 'string' && !/^https?:\/\/[^/]+/.test(m)) errors.push(`registry mirror ${JSON.stringify(m)} must be an http(s):// URL`);
    }
  }
  return { ok: errors.length === 0, errors };
}
