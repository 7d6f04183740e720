import { useState } from 'react';
import { splitCommand } from '@berth/electron/shared/command-line.js';
import { berth } from '../../api/berth.js';
import { Dialog } from '../../components/Dialog.js';
import { useNav } from '../../stores/nav.js';
import { toastError, toastSuccess } from '../../stores/toasts.js';

const lines = (s: string) => s.split(/[\n,]/).map((x) => x.trim()).filter(Boolean);

export function RunDialog({ image, onClose }: { image: string; onClose(): void }) {
  const [name, setName] = useState('');
  const [ports, setPorts] = useState('');
  const [env, setEnv] = useState('');
  const [volumes, setVolumes] = useState('');
  const [command, setCommand] = useState('');
  const [busy, setBusy] = useState(false);
  const openContainer = useNav((s) => s.openContainer);

  const run = async () => {
    setBusy(true);
    try {
      const res = await berth().invoke('containers.run', {
        image, name, ports: lines(ports), env: env.split('\n').map((x) => x.trim()).filter(Boolean), volumes: lines(volumes), command: splitCommand(command),
      });
      toastSuccess(`Started ${name || res.id.slice(0, 12)}`);
      onClose();
      openContainer(res.id);
    } catch (err) {
      toastError(`Could not run ${image}`, err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Run ${image}`} onClose={onClose} footer={<>
      <button className="btn" data-close onClick={onClose}>Cancel</button>
      <button className="btn primary" disabled={busy} onClick={() => void run()}>{busy ? 'Starting…' : 'Run'}</button>
    </>}>
      <label className="field">Container name
        <input className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="a random name" />
      </label>
      <label className="field">Ports
        <input className="input" value={ports} onChange={(e) => setPorts(e.target.value)} placeholder="8080:80, 5432" />
        <span className="help">[ip:]host:container[/udp], comma separated; a lone container port (or ip::port) publishes on a free host port</span>
      </label>
      <label className="field">Environment variables
        <textarea className="input" rows={3} value={env} onChange={(e) => setEnv(e.target.value)} placeholder={'KEY=value\nOTHER=value'} />
      </label>
      <label className="field">Volumes
        <input className="input" value={volumes} onChange={(e) => setVolumes(e.target.value)} placeholder="data:/var/lib/data, /host/path:/in/container:ro" />
      </label>
      <label className="field">Command
        <input className="input mono" value={command} onChange={(e) => setCommand(e.target.value)} placeholder="the image's default" />
      </label>
    </Dialog>
  );
}
