/** Manifest and layer media types (OCI image-spec, Docker distribution), grouped the way runtimes treat them. */
export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerV2: 'application/vnd.docker.distribution.manifest.v2+json',
  schema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  schema1: 'application/vnd.docker.distribution.manifest.v1+json',
  ociArtifactManifest: 'application/vnd.oci.artifact.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json'
} as const

/** How a runtime reads a manifest body. */
export type ManifestKind = 'index' | 'image' | 'schema1' | 'artifact-manifest' | 'unknown'

/** The kind of a manifest from its media type (header, else the body's `mediaType`, else its schemaVersion). */
export function manifestKind(mediaType: string): ManifestKind {
  switch (mediaType) {
    case MEDIA.ociIndex:
    case MEDIA.dockerList:
      return 'index'
    case MEDIA.ociManifest:
    case MEDIA.dockerV2:
      return 'image'
    case MEDIA.schema1Signed:
    case MEDIA.schema1:
    case 'application/json':
    case 'text/plain':
    case '':
      return 'schema1'
    case MEDIA.ociArtifactManifest:
      return 'artifact-manifest'
    default:
      return 'unknown'
  }
}

/** How a layer is compressed, as the runtime decides it from the media type alone. */
export type LayerClass = 'gzip' | 'zstd' | 'docker-zstd' | 'uncompressed-oci' | 'uncompressed-docker' | 'foreign' | 'encrypted' | 'unknown'

/** The class of a layer media type (image-spec media-types.md; containerd images/mediatypes.go). */
export function layerClass(mediaType: string): LayerClass {
  if (mediaType.endsWith('+encrypted')) return 'encrypted'
  if (mediaType.includes('.nondistributable.') || mediaType.includes('.foreign.')) return 'foreign'
  switch (mediaType) {
    case 'application/vnd.oci.image.layer.v1.tar+gzip':
    case 'application/vnd.docker.image.rootfs.diff.tar.gzip':
      return 'gzip'
    case 'application/vnd.oci.image.layer.v1.tar+zstd':
      return 'zstd'
    case 'application/vnd.docker.image.rootfs.diff.tar.zstd':
      return 'docker-zstd'
    case 'application/vnd.oci.image.layer.v1.tar':
      return 'uncompressed-oci'
    case 'application/vnd.docker.image.rootfs.diff.tar':
      return 'uncompressed-docker'
    default:
      return 'unknown'
  }
}

/** True for a config media type that describes a runnable container image. */
export function isImageConfig(mediaType: string): boolean {
  return mediaType === MEDIA.ociConfig || mediaType === MEDIA.dockerConfig
}

/** Readable names for messages. */
export function describeMediaType(mediaType: string): string {
  const names: Record<string, string> = {
    [MEDIA.ociIndex]: 'OCI index',
    [MEDIA.ociManifest]: 'OCI manifest',
    [MEDIA.dockerList]: 'Docker manifest list',
    [MEDIA.dockerV2]: 'Docker v2 schema 2 manifest',
    [MEDIA.schema1Signed]: 'Docker v2 schema 1 (signed) manifest',
    [MEDIA.schema1]: 'Docker v2 schema 1 manifest',
    [MEDIA.ociArtifactManifest]: 'OCI artifact manifest (a pre-release media type)'
  }
  return names[mediaType] ? `${names[mediaType]} (${mediaType})` : mediaType || '(no media type)'
}
