import { useEffect } from 'react';
import { EngineBanner, EngineStatusPill } from './components/EngineStatus.js';
import { Icon } from './components/Icon.js';
import { SkipLink } from './components/SkipLink.js';
import { Toasts } from './components/Toasts.js';
import { GO_KEYS, useGlobalShortcuts } from './lib/keyboard/shortcuts.js';
import { useEngine } from './stores/engine.js';
import { useNav, type View } from './stores/nav.js';
import { useContainers, useImages } from './stores/resources.js';
import { useThemeAttribute } from './lib/use-theme-attribute.js';
import { ContainersView } from './views/containers/ContainersView.js';
import { ImagesView } from './views/images/ImagesView.js';
import { NetworksView } from './views/NetworksView.js';
import { SettingsView } from './views/SettingsView.js';
import { TroubleshootView } from './views/TroubleshootView.js';
import { VolumesView } from './views/VolumesView.js';
import { ExtensionsView } from './views/extensions/ExtensionsView.js';
import { ExtensionTab } from './views/extensions/ExtensionTab.js';
import { useExtensions } from './stores/extensions.js';

const NAV: { view: View; label: string; icon: string }[] = [
  { view: 'containers', label: 'Containers', icon: 'box' },
  { view: 'images', label: 'Images', icon: 'layers' },
  { view: 'volumes', label: 'Volumes', icon: 'disk' },
  { view: 'networks', label: 'Networks', icon: 'network' },
  { view: 'extensions', label: 'Extensions', icon: 'puzzle' },
];
/** "g c" for Containers and so on, shown as the nav buttons' tooltips. */
const SHORTCUT = Object.fromEntries(Object.entries(GO_KEYS).map(([k, v]) => [v, `g ${k}`]));

const NAV_BOTTOM: typeof NAV = [
  { view: 'settings', label: 'Settings', icon: 'gear' },
  { view: 'troubleshoot', label: 'Troubleshoot', icon: 'wrench' },
];

function NavButton({ item }: { item: (typeof NAV)[number] }) {
  const { view, go } = useNav();
  const images = useImages((s) => s.items.length);
  const containers = useContainers((s) => s.items.length);
  const count = item.view === 'images' ? images : item.view === 'containers' ? containers : undefined;
  return (
    <button className="nav-item" aria-current={view === item.view ? 'page' : undefined} title={`${item.label} (${SHORTCUT[item.view]})`} onClick={() => go(item.view)}>
      <Icon name={item.icon} />
      {item.label}
      {count ? <span className="count" aria-label={`${count} ${item.label.toLowerCase()}`}>{count}</span> : null}
    </button>
  );
}

/** One sidebar entry per installed extension with a tab, as Docker Desktop lists them. */
function ExtensionTabs() {
  // Select the stable object; a filtered array made in the selector would be new on every store read.
  const overview = useExtensions((s) => s.overview);
  const tabs = overview?.extensions.filter((e) => e.tab) ?? [];
  const { view, extensionId, openExtension } = useNav();
  if (!tabs.length) return null;
  return (
    <div className="nav-extensions" role="group" aria-label="Extension tabs">
      {tabs.map((e) => (
        <button key={e.id} className="nav-item sub" aria-current={view === 'extension' && extensionId === e.id ? 'page' : undefined} onClick={() => openExtension(e.id)}>
          {e.icon ? <img src={e.icon} alt="" width={16} height={16} /> : null}
          {e.tab}
        </button>
      ))}
    </div>
  );
}

export function App() {
  useThemeAttribute();
  const view = useNav((s) => s.view);
  useGlobalShortcuts(useNav((s) => s.go));
  useEffect(() => useEngine.getState().start(), []);
  // The sidebar counts stay live on every view.
  useEffect(() => useImages.start(), []);
  useEffect(() => useContainers.start(), []);
  useEffect(() => { void useExtensions.getState().refresh(); void useExtensions.getState().loadShowContainers(); }, []);
  const extensionId = useNav((s) => s.extensionId);
  return (
    <div className="app">
      <SkipLink target="main" />
      <header className="topbar">
        <div className="brand"><Icon name="ship" size={22} />Berth</div>
        <div className="spacer" />
        <EngineStatusPill />
      </header>
      <nav className="sidebar" aria-label="Main">
        {NAV.map((n) => <NavButton key={n.view} item={n} />)}
        <ExtensionTabs />
        <div className="sep" />
        {NAV_BOTTOM.map((n) => <NavButton key={n.view} item={n} />)}
      </nav>
      <main className="main" id="main" tabIndex={-1}>
        <EngineBanner />
        {view === 'containers' && <ContainersView />}
        {view === 'images' && <ImagesView />}
        {view === 'volumes' && <VolumesView />}
        {view === 'networks' && <NetworksView />}
        {view === 'settings' && <SettingsView />}
        {view === 'troubleshoot' && <TroubleshootView />}
        {view === 'extensions' && <ExtensionsView />}
        {view === 'extension' && extensionId && <ExtensionTab key={extensionId} id={extensionId} />}
      </main>
      <Toasts />
    </div>
  );
}
