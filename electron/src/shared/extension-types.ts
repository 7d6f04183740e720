// What the dashboard's Extensions view shows: installed extensions and the catalog.

export interface ExtensionRow {
  id: string;
  image: string;
  version: string;
  title: string;
  vendor: string;
  description: string;
  /** The icon as a data: URL (the dashboard shows only its own origin's and data: images). */
  icon?: string;
  /** The dashboard tab's title; absent for an extension without UI. */
  tab?: string;
  /** Backend containers running / in all; absent without a backend. */
  backend?: { running: number; total: number };
  hostBinaries: string[];
  /** The extension's containers' Compose project (hidden from Containers unless Settings says otherwise). */
  composeProject?: string;
  /** Developer mode (`berth extension dev …`); absent when neither is set. */
  dev?: ExtensionDevSettings;
}

export interface ExtensionDevSettings {
  /** `dev ui-source`: the tab loads from this dev server. */
  uiSource?: string;
  /** `dev debug`: DevTools open with the tab. */
  debug?: boolean;
}

export interface ExtensionsOverview {
  /** "Enable Docker Extensions". */
  enabled: boolean;
  extensions: ExtensionRow[];
  /** The extension API version Berth implements. */
  apiVersion: string;
}

export interface CatalogEntry {
  image: string;
  title: string;
  description?: string;
  vendor?: string;
  /** An http(s) or data: URL. */
  icon?: string;
}

/** The catalog, or why it could not be read (shown in the view; the rest of it keeps working). */
export interface CatalogResult {
  /** Where it was read from; absent when none is configured. */
  source?: string;
  entries: CatalogEntry[];
  error?: string;
}
