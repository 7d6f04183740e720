import { useEffect, useState } from 'react';
import type { DaemonJsonCheck, HostSettings } from '@berth/electron/shared/types.js';
import { berth } from '../api/berth.js';
import { restartEngine } from '../components/EngineStatus.js';
import { useExtensions } from '../stores/extensions.js';
import { useTheme, type Theme } from '../stores/theme.js';
import { toastError, useToasts } from '../stores/toasts.js';
import { BerthSettingsCard } from './settings/BerthSettingsCard.js';
import { RegistriesCard } from './settings/RegistriesCard.js';

function ThemeCard() {
  const { theme, setTheme } = useTheme();
  return (
    <section className="card" aria-labelledby="theme-title">
      <h2 id="theme-title">Appearance</h2>
      <div className="body row">
        <span>Theme</span>
        <div className="segmented" role="group" aria-label="Theme">
          {(['light', 'dark', 'system'] as Theme[]).map((t) => (
            <button key={t} aria-pressed={theme === t} onClick={() => setTheme(t)}>{t[0]!.toUpperCase() + t.slice(1)}</button>
          ))}
        </div>
      </div>
    </section>
  );
}

function ExtensionsCard() {
  const { showContainers, setShowContainers } = useExtensions();
  return (
    <section className="card" aria-labelledby="extensions-settings-title">
      <h2 id="extensions-settings-title">Extensions</h2>
      <div className="body row">
        <label><input type="checkbox" checked={showContainers} onChange={(e) => setShowContainers(e.target.checked)} /> Show extension containers</label>
        <span className="muted">Extensions' backend containers are hidden from Containers and from <code>docker ps</code> unless this is on.</span>
      </div>
    </section>
  );
}

function DaemonJsonCard({ settings }: { settings: HostSettings }) {
  const [text, setText] = useState(settings.daemonJson ?? '{}');
  const [check, setCheck] = useState<DaemonJsonCheck>({ ok: true, errors: [] });
  const [restart, setRestart] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => { berth().invoke('settings.checkDaemonJson', { text }).then(setCheck, () => undefined); }, 250);
    return () => clearTimeout(t);
  }, [text]);
  const save = () => berth().invoke('settings.saveDaemonJson', { text }).then((r) => {
    setRestart(r.restartNeeded);
    useToasts.getState().push({ kind: 'success', title: 'Saved daemon.json', ...(r.restartNeeded ? { message: 'Restart the engine to apply it.' } : {}) });
  }, (e) => toastError('Could not save daemon.json', e));
  return (
    <section className="card" aria-labelledby="daemon-title">
      <h2 id="daemon-title">Engine configuration (daemon.json)</h2>
      <div className="body" style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
        {settings.daemonJsonPath ? <>
          <span className="muted mono">{settings.daemonJsonPath}</span>
          <textarea className="code" aria-label="daemon.json" spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
          {!check.ok && <ul role="alert" style={{ color: 'var(--danger)', margin: 0 }}>{check.errors.map((e) => <li key={e}>{e}</li>)}</ul>}
          <div className="row">
            <button className="btn primary" disabled={!check.ok} onClick={() => void save()}>Save</button>
            {restart && <><span className="muted">Changes apply after an engine restart.</span><button className="btn" onClick={restartEngine}>Restart engine</button></>}
          </div>
        </> : <p className="muted">This dashboard does not manage the engine&apos;s configuration file. Start it with <code>--daemon-json PATH</code> to edit it here.</p>}
      </div>
    </section>
  );
}

function NativeEngineCard({ settings }: { settings: HostSettings }) {
  return (
    <section className="card" aria-labelledby="vm-title">
      <h2 id="vm-title">Resources</h2>
      <div className="body">
        <p className="muted">The engine runs natively at <span className="mono">{settings.endpoint}</span> and this dashboard keeps no Berth settings: CPUs, memory, disk and shared folders are the host&apos;s own. Start it with <code>--settings PATH</code> to edit Berth&apos;s settings here.</p>
      </div>
    </section>
  );
}

export function SettingsView() {
  const [settings, setSettings] = useState<HostSettings>();
  useEffect(() => { berth().invoke('settings.get').then(setSettings, (e) => toastError('Could not load settings', e)); }, []);
  return (
    <section aria-labelledby="settings-title">
      <div className="view-header"><h1 id="settings-title">Settings</h1></div>
      <ThemeCard />
      <ExtensionsCard />
      {settings?.berth ? <BerthSettingsCard settings={settings.berth} onChange={setSettings} /> : settings && <NativeEngineCard settings={settings} />}
      {settings && <RegistriesCard />}
      {settings && <DaemonJsonCard settings={settings} />}
    </section>
  );
}
