import path from 'node:path';
import { InvalidArgument } from '../base/errors.js';
import type { JsonFileLog } from '../runtime/index.js';
import type { ContainerRecord } from './types.js';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** `10m`, `1g`, `512k`: go-units' RAMInBytes, which `--log-opt max-size` uses. */
export function parseSize(value: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?b?)$/i.exec(value.trim());
  const unit = UNITS[(m?.[2] ?? '').toLowerCase()];
  if (!m || unit === undefined) throw new InvalidArgument(`invalid ${name}: ${value}`);
  return Math.floor(Number(m[1]) * unit);
}

export function logPath(containerDir: string, id: string): string {
  return path.join(containerDir, `${id}-json.log`);
}

/** The monitor's log settings for a container; undefined for the `none` driver. */
export function jsonFileLog(record: ContainerRecord, containerDir: string): JsonFileLog | undefined {
  const { Type, Config } = record.HostConfig.LogConfig;
  if (Type === 'none') return undefined;
  const out: JsonFileLog = { path: logPath(containerDir, record.Id) };
  if (Config['max-size']) out.maxSize = parseSize(Config['max-size'], 'max-size');
  // The `local` driver rotates by default (dockerd: 20 MB × 5); json-file does not unless asked.
  else if (Type === 'local') out.maxSize = 20 * 1024 * 1024;
  if (Config['max-file']) {
    const n = Number(Config['max-file']);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgument(`invalid value for max-file: ${Config['max-file']}`);
    out.maxFiles = n;
  } else if (Type === 'local') out.maxFiles = 5;
  return out;
}

/** Validates `--log-opt` at create, so a bad option fails `docker run` before anything starts. */
export function validateLogConfig(record: ContainerRecord): void {
  const allowed = ['max-size', 'max-file', 'compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag', 'mode', 'max-buffer-size'];
  for (const key of Object.keys(record.HostConfig.LogConfig.Config)) {
    if (!allowed.includes(key)) throw new InvalidArgument(`unknown log opt '${key}' for ${record.HostConfig.LogConfig.Type} log driver`);
  }
  jsonFileLog(record, '/');
}
