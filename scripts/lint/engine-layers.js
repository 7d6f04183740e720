// The engine's layers, lowest first (DESIGN.md "Engine layering"). A folder under engine/src may import its own
// layer and the layers below it, never a higher one. Every folder under engine/src must be listed here
// (scripts/lint/boundaries.test.ts checks that), so a new folder gets a deliberate place.
export const ENGINE_LAYERS = [
  ['base'],
  ['content', 'snapshots', 'metadata', 'events'],
  ['registry', 'images', 'runtime', 'network', 'volumes', 'plugins'],
  ['containers', 'build', 'buildkit'],
  ['api'],
  ['daemon', 'cmd'],
];

/** Zones for import-x/no-restricted-paths: each layer's folders may not import from any higher layer's folders. */
export function engineLayerZones(root) {
  const zones = [];
  ENGINE_LAYERS.forEach((layer, rank) => {
    const higher = ENGINE_LAYERS.slice(rank + 1).flat();
    if (higher.length === 0) return;
    for (const folder of layer) {
      zones.push({
        target: `${root}/${folder}`,
        from: higher.map((h) => `${root}/${h}`),
        message: `engine/src/${folder} is in layer ${rank + 1}; it may only import from its own layer or below.`,
      });
    }
  });
  return zones;
}
