// The docker credential-helper protocol (docker/docker-credential-helpers, see shared/specs): one action argument,
// input on stdin, answers and errors on stdout, exit status 1 on any error. Error texts are compared exactly by
// clients (the docker CLI treats `credentials not found in native keychain` as "not signed in").
import type { RegistryCredentials } from './registry-credentials.js';

export const HELPER_NAME = 'docker-credential-berth';
export const ERR_NOT_FOUND = 'credentials not found in native keychain';
export const ERR_NO_SERVER_URL = 'no credentials server URL';
export const ERR_NO_USERNAME = 'no credentials username';

export interface HelperResult {
  stdout: string;
  code: 0 | 1;
}

class HelperError extends Error {}

/** Go's json.Encoder output: HTML-sensitive characters escaped (so `<token>` is `\u003ctoken\u003e`), one line. */
function goJson(value: unknown): string {
  return `${JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/** Go's json.Decoder matches field names without regard to case. */
function field(obj: Record<string, unknown>, name: string): string {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key === undefined ? undefined : obj[key];
  return typeof v === 'string' ? v : '';
}

function parseStoreInput(input: string): { serverURL: string; username: string; secret: string } {
  if (!input.trim()) throw new HelperError('EOF');
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch (err) {
    throw new HelperError(`invalid character in credentials JSON: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new HelperError('credentials must be a JSON object');
  const obj = parsed as Record<string, unknown>;
  const serverURL = field(obj, 'ServerURL');
  const username = field(obj, 'Username');
  if (!serverURL) throw new HelperError(ERR_NO_SERVER_URL);
  if (!username) throw new HelperError(ERR_NO_USERNAME);
  return { serverURL, username, secret: field(obj, 'Secret') };
}

function serverURLFrom(input: string): string {
  const url = input.trim();
  if (!url) throw new HelperError(ERR_NO_SERVER_URL);
  return url;
}

export function usage(): string {
  return `Usage: ${HELPER_NAME} <store|get|erase|list|version>\n`;
}

export function versionLine(version: string): string {
  return `${HELPER_NAME} (berth) ${version}\n`;
}

/**
 * Runs one helper action. `credentials` is called only by actions that need the keychain or the index, so
 * `version` answers even where no keychain is reachable.
 */
export async function runHelperAction(action: string, input: string, credentials: () => RegistryCredentials, version: string): Promise<HelperResult> {
  try {
    switch (action) {
      case 'store': {
        const { serverURL, username, secret } = parseStoreInput(input);
        await credentials().save(serverURL, username, secret);
        return { stdout: '', code: 0 };
      }
      case 'get': {
        const serverURL = serverURLFrom(input);
        const found = await credentials().find(serverURL);
        if (!found) throw new HelperError(ERR_NOT_FOUND);
        return { stdout: goJson({ ServerURL: serverURL, Username: found.username, Secret: found.secret }), code: 0 };
      }
      case 'erase': {
        const serverURL = serverURLFrom(input);
        if (!(await credentials().erase(serverURL))) throw new HelperError(ERR_NOT_FOUND);
        return { stdout: '', code: 0 };
      }
      case 'list': {
        const out: Record<string, string> = {};
        for (const e of credentials().list()) out[e.serverURL] = e.username;
        return { stdout: goJson(out), code: 0 };
      }
      case 'version':
        return { stdout: versionLine(version), code: 0 };
      default:
        throw new HelperError(`${HELPER_NAME}: unknown action: ${action}`);
    }
  } catch (err) {
    // Errors travel on stdout, one line: that is where the helper client library reads them.
    const message = err instanceof Error ? err.message : String(err);
    return { stdout: `${message.replace(/\s*\n\s*/g, ' ')}\n`, code: 1 };
  }
}
