import { atLeast, type Runtime } from './runtimes.js'
import { manifestKind, MEDIA, type LayerClass } from './media-types.js'

/** Whether a runtime pulls something: ok, works with a caveat (warn), or fails with the error users see. */
export type Support =
  | { readonly level: 'ok' }
  | {
      readonly level: 'warn' | 'fail'
      /** the runtime's own words, as the kubelet event shows them */
      readonly error: string
      /** docs/runtimes.md's source for this cell */
      readonly source: string
    }

const OK: Support = { level: 'ok' }
const fail = (error: string, source: string): Support => ({ level: 'fail', error, source })
const warn = (error: string, source: string): Support => ({ level: 'warn', error, source })

/**
 * Can `runtime` read a manifest of this media type? (docs/runtimes.md §Manifests; registry facts §5.1)
 */
export function manifestSupport(runtime: Runtime, mediaType: string): Support {
  if (runtime.accepted) return customSupport(runtime, mediaType)
  const kind = manifestKind(mediaType)
  const isOci = mediaType === MEDIA.ociIndex || mediaType === MEDIA.ociManifest
  if (kind === 'artifact-manifest') {
    return fail(`unexpected media type ${mediaType}: not found`, 'OCI image-spec history (the type existed only in v1.1.0-rc1/rc2); containerd core/images/image.go')
  }
  if (kind === 'unknown') return fail(`unsupported manifest media type ${mediaType}`, 'containerd core/images/image.go; moby distribution/errors.go')
  if (runtime.family === 'docker') {
    if (isOci && !atLeast(runtime, 18, 6)) {
      const found = kind === 'index' ? 'OCI index found, but accept header does not support OCI indexes' : 'OCI manifest found, but accept header does not support OCI manifests'
      return fail(`manifest unknown: ${found}`, 'moby distribution/oci.go (OCI types registered in 18.06); distribution registry/handlers/manifests.go')
    }
    if (kind === 'schema1') {
      if (atLeast(runtime, 28, 2)) return fail('Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed', 'moby v28.2.0 / docker-v29 distribution/errors.go')
      if (atLeast(runtime, 26)) {
        return fail(
          '[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, schema 1 support is disabled by default and will be removed in an upcoming release',
          'moby v26.0.0 distribution/manifest.go (DOCKER_ENABLE_DEPRECATED_PULL_SCHEMA_1_IMAGE)'
        )
      }
      return warn('schema 1 is deprecated (pulled with a warning)', 'moby distribution/pull_v2.go')
    }
    return OK
  }
  if (runtime.family === 'containerd' && kind === 'schema1') {
    if (atLeast(runtime, 2, 1)) {
      return fail(
        `not implemented: media type "${mediaType || MEDIA.schema1Signed}" is no longer supported since containerd v2.1, please rebuild the image as "${MEDIA.dockerV2}" or "${MEDIA.ociManifest}"`,
        'containerd v2.1.0 client/pull.go, core/remotes/docker/resolver.go'
      )
    }
    if (atLeast(runtime, 2)) {
      return fail(
        'Pulling Schema 1 images have been deprecated and disabled by default since containerd v2.0. As a workaround you may set an environment variable `CONTAINERD_ENABLE_DEPRECATED_PULL_SCHEMA_1_IMAGE=1`, but this will be completely removed in containerd v2.1.',
        'containerd v2.0.0 core/remotes/docker/schema1/converter.go'
      )
    }
    if (atLeast(runtime, 1, 7)) return warn('schema 1 is deprecated in containerd 1.7 (pulled with a warning; disabled in 2.0, removed in 2.1)', 'containerd RELEASES.md deprecation table')
  }
  return OK
}

/** The error containerd and Docker give for layer bytes their tar reader cannot read. */
const CONTAINERD_TAR_ERROR = 'failed to extract layer: mount callback failed: archive/tar: invalid tar header: unknown'
const DOCKER_TAR_ERROR = 'failed to register layer: Error processing tar file(exit status 1): archive/tar: invalid tar header'

/**
 * Can `runtime` apply a layer of this class? `magic` is what the first bytes of an
 * uncompressed-labelled layer are (registry facts §5.1, §5.6).
 */
export function layerSupport(runtime: Runtime, layer: LayerClass, magic?: 'gzip' | 'zstd', mediaType = ''): Support {
  if (runtime.accepted) return customSupport(runtime, mediaType)
  switch (layer) {
    case 'gzip':
    case 'uncompressed-docker':
      // containerd treats Docker's uncompressed type as "unknown" and sniffs it, like Docker does
      return OK
    case 'uncompressed-oci':
      if (!magic) return OK
      if (runtime.family === 'containerd') return fail(CONTAINERD_TAR_ERROR, 'containerd core/images/mediatypes.go DiffCompression (applied without sniffing); containerd/containerd#3326')
      return OK
    case 'zstd':
      if (runtime.family === 'docker' && !atLeast(runtime, 23)) return fail(DOCKER_TAR_ERROR, 'moby commit e187eb2bb5 (zstd, first in v23.0.0); aws/amazon-ecs-agent#4179')
      if (runtime.family === 'containerd' && !atLeast(runtime, 1, 5)) return fail(CONTAINERD_TAR_ERROR, 'containerd v1.5.0 archive/compression (zstd); home-operations/containers#1177')
      if (runtime.family === 'cri-o' && !atLeast(runtime, 1, 16)) return fail('unsupported compression', 'containers/image v5.0.0 (zstd), CRI-O v1.16 go.mod')
      return OK
    case 'docker-zstd':
      if (runtime.family === 'containerd') {
        return atLeast(runtime, 2) ? OK : fail(CONTAINERD_TAR_ERROR, 'containerd v2.0.0 core/images/mediatypes.go (first to know the type)')
      }
      return warn('the non-standard Docker zstd layer type is not read by every version', 'podman-container-tools/container-libs#293')
    case 'foreign':
      return warn('foreign (non-distributable) layers are fetched from their `urls` or the registry; air-gapped nodes may not reach them', 'containerd core/remotes/docker/fetcher.go; OCI image-spec layer.md §Non-Distributable')
    case 'encrypted':
      return warn('encrypted layers need the decryption keys on every node (containerd imgcrypt)', 'containerd core/images/mediatypes.go')
    case 'unknown':
      return fail('unsupported media type for a layer', 'containerd core/images/mediatypes.go; moby distribution/errors.go unsupportedMediaTypeError')
  }
}

/** The error each runtime gives for an OCI artifact (Helm chart, signature, SBOM, wasm) run as an image. */
export function artifactError(runtime: Runtime, configMediaType: string): string {
  if (runtime.family === 'docker') {
    return atLeast(runtime, 20, 10, 22) ? `Encountered remote "${configMediaType}"(unknown) when fetching` : 'invalid rootfs in image configuration'
  }
  if (runtime.family === 'cri-o') return `unsupported image-specific operation on artifact with type "${configMediaType}"`
  return 'failed to unpack image on snapshotter overlayfs: mismatched image rootfs and manifest layers'
}

function customSupport(runtime: Runtime, mediaType: string): Support {
  return runtime.accepted!.has(mediaType) ? OK : fail(`media type ${mediaType || '(none)'} is not in accept-media-types`, 'the accept-media-types input')
}
