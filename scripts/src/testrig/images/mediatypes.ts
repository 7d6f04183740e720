import type { Compression, ManifestFormat } from './types.js';

export const MediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerTar: 'application/vnd.docker.image.rootfs.diff.tar',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

export function manifestMediaType(format: ManifestFormat): string {
  return format === 'docker' ? MediaTypes.dockerManifest : MediaTypes.ociManifest;
}

export function indexMediaType(format: ManifestFormat): string {
  return format === 'docker' ? MediaTypes.dockerManifestList : MediaTypes.ociIndex;
}

export function configMediaType(format: ManifestFormat): string {
  return format === 'docker' ? MediaTypes.dockerConfig : MediaTypes.ociConfig;
}

export function layerMediaType(format: ManifestFormat, compression: Compression): string {
  if (format === 'oci') {
    if (compression === 'gzip') return MediaTypes.ociLayerGzip;
    if (compression === 'zstd') return MediaTypes.ociLayerZstd;
    return MediaTypes.ociLayerTar;
  }
  if (compression === 'gzip') return MediaTypes.dockerLayerGzip;
  if (compression === 'none') return MediaTypes.dockerLayerTar;
  // Docker's schema2 has no zstd layer type: dockerd itself pushes zstd layers only in OCI manifests.
  throw new Error('zstd layers need OCI media types');
}
