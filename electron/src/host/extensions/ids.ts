// Names derived from an extension's image reference, as Docker Desktop derives them (DIGEST §3): the ID is the
// repository without tag, the data folder `<org>_<name>`, the backend a Compose project `<org>_<name>-desktop-extension`.

export interface ExtensionRef {
  /** The image reference as given (`docker/disk-usage-extension:0.2.1`). */
  image: string;
  /** The repository without tag or digest: the extension's ID. */
  id: string;
  /** The tag (`latest` when none was given), or the digest. */
  version: string;
}

export function parseExtensionRef(image: string): ExtensionRef {
  const ref = image.trim();
  if (!ref || /\s/.test(ref)) throw new Error(`invalid image reference ${JSON.stringify(image)}`);
  const at = ref.indexOf('@');
  if (at >= 0) return { image: ref, id: ref.slice(0, at), version: ref.slice(at + 1) };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { image: ref, id: ref.slice(0, colon), version: ref.slice(colon + 1) };
  return { image: `${ref}:latest`, id: ref, version: 'latest' };
}

/** The ID as the name of a folder (`docker/disk-usage` → `docker_disk-usage`). */
export function extensionDirName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Compose project names are lower-case letters, digits, `-` and `_`. */
export function composeProjectName(id: string): string {
  return `${extensionDirName(id).toLowerCase().replace(/[^a-z0-9_-]/g, '_').replace(/^[^a-z0-9]+/, '')}-desktop-extension`;
}
