import { InvalidArgument } from '../base/errors.js';
import { API_VERSION, MIN_API_VERSION, versionLessThan } from '../base/version.js';

const VERSIONED_PATH = /^\/v([0-9][0-9.]*)(\/.*)$/;

/** Splits `/v1.41/containers/json` into version and path; a bare path means the daemon's default version. */
export function splitVersion(pathname: string): { version: string; path: string; explicit: boolean } {
  const m = VERSIONED_PATH.exec(pathname);
  if (!m) return { version: API_VERSION, path: pathname, explicit: false };
  return { version: m[1] as string, path: m[2] as string, explicit: true };
}

/** dockerd's negotiation errors, word for word (the docker CLI prints them after "Error response from daemon: "). */
export function checkVersion(version: string, min = MIN_API_VERSION, max = API_VERSION): void {
  if (versionLessThan(version, min)) {
    throw new InvalidArgument(
      `client version ${version} is too old. Minimum supported API version is ${min}, please upgrade your client to a newer version`,
    );
  }
  if (versionLessThan(max, version)) {
    throw new InvalidArgument(`client version ${version} is too new. Maximum supported API version is ${max}`);
  }
}
