import { berth } from '../../api/berth.js';
import { FileBrowser } from '../files/FileBrowser.js';

export { saveBase64 } from '../files/FileBrowser.js';

/** A container's filesystem, read through the archive API (running or not). */
export function FilesPanel({ id }: { id: string }) {
  return (
    <FileBrowser source={{
      key: `container:${id}`,
      list: (path) => berth().invoke('containers.files', { id, path }),
      read: (path) => berth().invoke('containers.readFile', { id, path }),
    }} />
  );
}
