import { useMemo, useState, type ReactNode } from 'react';
import { validateSettings, type SettingsField } from '@berth/electron/shared/settings-rules.js';
import type { BerthSettings, HostSettings } from '@berth/electron/shared/types.js';
import { berth } from '../../api/berth.js';
import { toastError, toastSuccess } from '../../stores/toasts.js';
import { changeOf, draftOf, type Draft } from './berth-settings-draft.js';

function Field({ id, label, help, error, children }: { id: SettingsField; label: string; help?: string; error?: string; children(props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }): ReactNode }) {
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field-block">
      <label className="field" htmlFor={`setting-${id}`}>{label}</label>
      {children({ id: `setting-${id}`, 'aria-invalid': !!error, ...(describedBy ? { 'aria-describedby': describedBy } : {}) })}
      {help && <span className="help" id={`${id}-help`}>{help}</span>}
      {error && <span className="field-error" id={`${id}-error`} role="alert">{error}</span>}
    </div>
  );
}

/** "Needs a VM restart" with the reasons, and the restart itself when this host can do it. */
function RestartBanner({ s, onRestarted }: { s: BerthSettings; onRestarted(): void }) {
  const [busy, setBusy] = useState(false);
  if (!s.restartReasons.length) return null;
  const restart = () => {
    setBusy(true);
    berth().invoke('engine.restart').then(() => { toastSuccess('Restarting the VM'); onRestarted(); }, (e) => toastError('Could not restart the VM', e)).finally(() => setBusy(false));
  };
  return (
    <div className="banner warn" role="status" aria-label="Restart needed">
      <div style={{ flex: 1 }}>
        <div className="title">Needs a VM restart</div>
        <div>Saved, but the running VM still uses the old values: {s.restartReasons.join('; ')}. Running containers stop during the restart.</div>
      </div>
      {s.canRestart
        ? <button className="btn" disabled={busy} onClick={restart}>{busy ? 'Restarting…' : 'Restart VM'}</button>
        : <span className="muted">Restart it with <code>berth restart</code>.</span>}
    </div>
  );
}

export function BerthSettingsCard({ settings, onChange }: { settings: BerthSettings; onChange(next: HostSettings): void }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(settings));
  const [saving, setSaving] = useState(false);
  const change = useMemo(() => changeOf(draft, settings), [draft, settings]);
  const errors = useMemo(() => validateSettings(change, settings.limits), [change, settings.limits]);
  const dirty = Object.keys(change).length > 0;
  const invalid = Object.keys(errors).length > 0;
  const set = <K extends keyof Draft>(k: K) => (v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const reload = () => berth().invoke('settings.get').then(onChange, () => undefined);

  const save = () => {
    setSaving(true);
    berth().invoke('settings.save', change).then((next) => {
      onChange(next);
      if (next.berth) setDraft(draftOf(next.berth));
      toastSuccess('Saved settings', next.berth?.restartReasons.length ? 'The VM needs a restart to use them.' : undefined);
    }, (e) => toastError('Could not save settings', e)).finally(() => setSaving(false));
  };

  const text = (k: 'cpus' | 'memoryMiB' | 'diskGiB', label: string, help: string) => (
    <Field id={k} label={label} help={help} error={errors[k]}>
      {(p) => <input {...p} className="input" inputMode="numeric" value={draft[k]} onChange={(e) => set(k)(e.target.value)} />}
    </Field>
  );
  const lines = (k: 'sharedFolders' | 'registryMirrors' | 'insecureRegistries', label: string, help: string, placeholder: string) => (
    <Field id={k} label={label} help={help} error={errors[k]}>
      {(p) => <textarea {...p} className="input mono" rows={3} value={draft[k]} placeholder={placeholder} onChange={(e) => set(k)(e.target.value)} />}
    </Field>
  );

  return (
    <section className="card" aria-labelledby="berth-settings-title">
      <h2 id="berth-settings-title">Resources and registries</h2>
      <div className="body form-grid">
        <RestartBanner s={settings} onRestarted={() => void reload()} />
        <span className="muted mono">{settings.path}</span>
        <div className="row-3">
          {text('cpus', 'CPUs', `1 to ${settings.limits.maxCpus}`)}
          {text('memoryMiB', 'Memory (MiB)', `512 to ${settings.limits.maxMemoryMiB}`)}
          {text('diskGiB', 'Disk size (GiB)', `the disk grows as it fills; at least ${settings.limits.minDiskGiB}`)}
        </div>
        {lines('sharedFolders', 'Shared folders', 'host folders seen at the same path in the VM; one per line; changes apply without a restart', '/Users/you')}
        {lines('registryMirrors', 'Registry mirrors', 'tried before Docker Hub; one URL per line', 'https://mirror.example.com')}
        {lines('insecureRegistries', 'Insecure registries', 'reached over plain HTTP or with an untrusted certificate; host[:port] or CIDR, one per line', 'registry.local:5000')}
        <label className="row"><input type="checkbox" checked={draft.startAtLogin} onChange={(e) => set('startAtLogin')(e.target.checked)} />Start Berth when I log in</label>
        <label className="row"><input type="checkbox" checked={draft.keepEngineOnQuit} onChange={(e) => set('keepEngineOnQuit')(e.target.checked)} />Keep the engine running when Berth quits <span className="muted">(containers keep running; the next start attaches in a second)</span></label>
        <div className="row">
          <button className="btn primary" disabled={!dirty || invalid || saving} onClick={save}>{saving ? 'Saving…' : 'Save settings'}</button>
          <button className="btn" disabled={!dirty || saving} onClick={() => setDraft(draftOf(settings))}>Discard changes</button>
          {invalid && <span className="muted">Fix the fields marked above to save.</span>}
        </div>
      </div>
    </section>
  );
}
