import { useEffect, useState, type FormEvent } from 'react';
import type { RegistriesView } from '@berth/electron/shared/types.js';
import { berth } from '../../api/berth.js';
import { toastError, toastSuccess } from '../../stores/toasts.js';

/**
 * Settings → Registries: the registries Berth keeps a login for (server and user; the secret stays in the OS
 * keychain), Sign in (checked by the engine against the registry first), Sign out, the consent prompt for plain-text
 * logins in ~/.docker/config.json, and "Use the berth context".
 */
export function RegistriesCard() {
  const [view, setView] = useState<RegistriesView>();
  const [unavailable, setUnavailable] = useState<string>();
  const [server, setServer] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    berth().invoke('registries.list').then(setView, (e: { message?: string }) => setUnavailable(e.message ?? String(e)));
  }, []);

  const signIn = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setView(await berth().invoke('registries.signIn', { server, username, password }));
      toastSuccess('Signed in', `${username} on ${server || 'Docker Hub'}`);
      setPassword('');
    } catch (e) {
      const err = e as { message?: string; hint?: string };
      setError([err.message, err.hint].filter(Boolean).join(' '));
    } finally {
      setBusy(false);
    }
  };
  const signOut = (s: string) => berth().invoke('registries.signOut', { server: s }).then(setView, (e) => toastError(`Could not sign out of ${s}`, e));
  const migrate = () => berth().invoke('registries.migrate').then((v) => { setView(v); toastSuccess('Logins moved to the OS keychain'); }, (e) => toastError('Could not move the logins', e));
  const useContext = (on: boolean) => berth().invoke('registries.useContext', { on }).then(setView, (e) => toastError('Could not change the docker context', e));
  const systemLinks = (on: boolean) => berth().invoke('registries.systemLinks', { on }).then(setView, (e) => toastError('Could not change the links', e));

  return (
    <section className="card" aria-labelledby="registries-title">
      <h2 id="registries-title">Registries</h2>
      <div className="body" style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
        {unavailable && <p className="muted">{unavailable}</p>}
        {view && view.plaintext.length > 0 && (
          <div className="banner warn" role="status" aria-label="Plain-text logins">
            <div>
              <div className="title">{view.plaintext.length} login(s) stored in plain text in ~/.docker/config.json</div>
              <span className="muted">{view.plaintext.join(', ')}</span>
            </div>
            <button className="btn" onClick={() => void migrate()}>Move to the keychain</button>
          </div>
        )}
        {view && (view.logins.length === 0
          ? <p className="muted" aria-label="Signed-in registries">Not signed in to any registry.</p>
          : <table className="list" aria-label="Signed-in registries">
            <thead><tr><th>Registry</th><th>User</th><th /></tr></thead>
            <tbody>
              {view.logins.map((l) => (
                <tr key={l.server} data-row-key={l.server}>
                  <td className="mono">{l.server}</td>
                  <td>{l.username}</td>
                  <td><button className="btn" aria-label={`Sign out of ${l.server}`} onClick={() => void signOut(l.server)}>Sign out</button></td>
                </tr>
              ))}
            </tbody>
          </table>)}
        {view && (
          <form onSubmit={(ev) => void signIn(ev)} aria-label="Sign in to a registry" style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'end' }}>
            <label className="field">Registry<input aria-label="Registry" placeholder="Docker Hub, or host:port" value={server} onChange={(e) => setServer(e.target.value)} /></label>
            <label className="field">User name<input aria-label="User name" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} /></label>
            <label className="field">Password or token<input aria-label="Password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
            <button className="btn primary" type="submit" disabled={busy || !username || !password}>{busy ? 'Signing in…' : 'Sign in'}</button>
          </form>
        )}
        {error && <p role="alert" style={{ color: 'var(--danger)', margin: 0 }}>{error}</p>}
        {view?.context && (
          <label className="row">
            <input type="checkbox" checked={view.context.useBerth} onChange={(e) => void useContext(e.target.checked)} />
            <span>Use the berth context <span className="muted">(docker uses: <span className="mono">{view.context.current}</span>)</span></span>
          </label>
        )}
        {view?.systemLinks && (
          <div aria-label="System links">
            <label className="row">
              <input type="checkbox" checked={view.systemLinks.on} disabled={!view.systemLinks.writable} onChange={(e) => void systemLinks(e.target.checked)} />
              <span>Link docker and docker-credential-berth into <span className="mono">{view.systemLinks.dir}</span> <span className="muted">(for shells without ~/.berth/bin on PATH)</span></span>
            </label>
            {!view.systemLinks.writable && (
              <p className="muted" style={{ margin: 0 }}>{view.systemLinks.dir} is not writable by you: <span className="mono">sudo berth host-tools {view.systemLinks.on ? 'unlink-system' : 'link-system'}</span></p>
            )}
            {view.systemLinks.left.map((l) => <p key={l} className="muted" style={{ margin: 0 }}>Left alone (not Berth's): <span className="mono">{l}</span></p>)}
          </div>
        )}
      </div>
    </section>
  );
}
