/**
 * The `moby` exporter: the built image already sits in berthd's store, so exporting names it (the comma list in
 * `name`, normalized as dockerd's moby exporter does) and answers the keys buildx and Compose read
 * (`containerimage.digest` for Compose, `containerimage.config.digest` for `--iidfile`).
 */
import { InvalidArgument } from '../base/errors.js';
import type { ImageService } from '../images/service.js';
import { canonicalString, familiarName, parseReference, withDefaultTag } from '../registry/reference.js';
import { CLIENT_EXPORTERS } from './outputs.js';
import type { BuildProgress } from './progress.js';

export interface ExporterSpec {
  Type: string;
  Attrs: Record<string, string>;
}

/** buildx turns `--load`, `-o type=docker` and `type=image` into `moby` for the docker driver; take those. */
const IMAGE_EXPORTERS = new Set(['moby', 'image', 'docker']);

export function isImageExporter(e: ExporterSpec): boolean {
  return IMAGE_EXPORTERS.has(e.Type);
}

export function checkExporters(exporters: ExporterSpec[]): void {
  for (const e of exporters) {
    if (!IMAGE_EXPORTERS.has(e.Type) && !CLIENT_EXPORTERS.has(e.Type)) {
      throw new InvalidArgument(`exporter "${e.Type}" is not supported by this engine (use --load, or -o type=local|tar)`);
    }
    if (e.Attrs.push === 'true') throw new InvalidArgument('push from the builder is not supported by this engine: build with --load, then docker push');
  }
}

export async function exportImage(images: ImageService, imageId: string, exporters: ExporterSpec[], progress: BuildProgress): Promise<Record<string, string>> {
  const names = exporters.flatMap((e) => (e.Attrs.name ?? '').split(',')).map((n) => n.trim()).filter(Boolean);
  const refs = names.map((n) => withDefaultTag(parseReference(n)));
  const v = progress.begin('exporting to image');
  try {
    v.status('exporting layers', 0, 0, true);
    v.status(`writing image ${imageId}`, 0, 0, true);
    for (const r of refs) {
      const full = canonicalString(r);
      v.status(`naming to ${full}`, 0, 0, false);
      await images.tag(imageId, familiarName(r), r.tag ?? 'latest');
      v.status(`naming to ${full}`, 0, 0, true);
    }
    v.end();
  } catch (err) {
    v.end(err);
    throw err;
  }
  const response: Record<string, string> = { 'containerimage.config.digest': imageId, 'containerimage.digest': imageId };
  if (refs.length) response['image.name'] = refs.map((r) => canonicalString(r)).join(',');
  return response;
}
